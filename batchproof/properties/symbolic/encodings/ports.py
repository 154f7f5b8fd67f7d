"""NodePorts: the pod's host ports against the (hostIP, protocol, port) triples in use on a node.

Wanted ports are those of app containers and sidecars (not plain init containers), with an empty
hostIP read as 0.0.0.0 and an empty protocol as TCP. A wanted port conflicts with a used one of
the same protocol and port when either IP is 0.0.0.0 or the IPs are equal. PreFilter skips pods
without wanted ports. Upstream signs the port numbers of every container, init containers
included; strict signs the sanitised triples Filter checks.

Shape: three host ports per pod (each in an app container, a sidecar or a plain init container);
two used triples per node, from one existing pod.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from batchproof.model.frozen import FrozenDict
from batchproof.model.objects import Container, ContainerPort, Node, Pod
from batchproof.properties.symbolic.encoder import SUCCESS, UNSCHEDULABLE, Domain, Encoder, Expr, any_of
from batchproof.properties.symbolic.model import ClusterVars, Part, Property, Slot, SymbolicModel, set_equal
from batchproof.properties.world import Cluster

PROTOCOLS = Domain("protocol", ("TCP", "UDP", "SCTP", ""))
HOST_IPS = Domain("host_ip", ("", "0.0.0.0", "10.0.0.1", "10.0.0.2"))
APP, SIDECAR, PLAIN_INIT = 0, 1, 2
MAX_PORT = 65535
SHAPE = "3 host ports per pod (app, sidecar or plain init container); 2 used ports per node"


@dataclass(frozen=True, slots=True)
class PortVars:
    """A host port: present (hostPort > 0), its container kind, number, protocol and hostIP."""

    present: Expr
    kind: Expr
    port: Expr
    protocol: Expr
    ip: Expr


@dataclass(frozen=True, slots=True)
class NodeVars:
    """Used ports of a node (already sanitised when concrete)."""

    used: tuple[PortVars, ...]


def _sanitised(enc: Encoder, port: PortVars) -> tuple[Expr, Expr, Expr]:
    ip = z3.If(port.ip == enc.const(HOST_IPS, ""), enc.const(HOST_IPS, "0.0.0.0"), port.ip)
    protocol = z3.If(port.protocol == enc.const(PROTOCOLS, ""), enc.const(PROTOCOLS, "TCP"), port.protocol)
    return ip, protocol, port.port


def _fresh_port(enc: Encoder, prefix: str, *, kinds: bool) -> PortVars:
    return PortVars(
        enc.flag(f"{prefix}.present"),
        enc.integer(f"{prefix}.kind", APP, PLAIN_INIT) if kinds else z3.IntVal(APP),
        enc.integer(f"{prefix}.port", 1, MAX_PORT),
        enc.opaque(PROTOCOLS, f"{prefix}.protocol"),
        enc.opaque(HOST_IPS, f"{prefix}.ip"),
    )


def _literal(enc: Encoder, kind: int, port: ContainerPort) -> PortVars:
    return PortVars(
        z3.BoolVal(True),
        z3.IntVal(kind),
        z3.IntVal(port.host_port),
        enc.const(PROTOCOLS, port.protocol),
        enc.const(HOST_IPS, port.host_ip),
    )


class NodePortsModel(SymbolicModel):
    """NodePorts: PreFilter and Filter."""

    title = plugin = "NodePorts"
    properties: tuple[Property, ...] = ("filter",)
    nodes = 1
    shape = SHAPE

    def fresh_pod(self, enc: Encoder, prefix: str) -> tuple[PortVars, ...]:
        """Three optional host ports."""
        return tuple(_fresh_port(enc, f"{prefix}.port{i}", kinds=True) for i in range(3))

    def fresh_cluster(self, enc: Encoder) -> ClusterVars:
        """A node whose existing pod uses two optional host ports."""
        return ClusterVars((NodeVars(tuple(_fresh_port(enc, f"n0.used{i}", kinds=False) for i in range(2))),))

    def pod_of(self, enc: Encoder, pod: Pod) -> tuple[PortVars, ...]:
        """Every container port with a host port, with its container kind."""
        out = []
        for container in pod.init_containers:
            kind = SIDECAR if container.is_sidecar else PLAIN_INIT
            out += [_literal(enc, kind, p) for p in container.ports if p.host_port > 0]
        for container in pod.containers:
            out += [_literal(enc, APP, p) for p in container.ports if p.host_port > 0]
        return tuple(out)

    def cluster_of(self, enc: Encoder, cluster: Cluster) -> ClusterVars:
        """The used (sanitised) triples of each node."""
        nodes = []
        for info in cluster.snapshot().node_infos():
            used = tuple(
                PortVars(
                    z3.BoolVal(True),
                    z3.IntVal(APP),
                    z3.IntVal(p.port),
                    enc.const(PROTOCOLS, p.protocol),
                    enc.const(HOST_IPS, p.ip),
                )
                for p in sorted(info.used_ports, key=lambda p: (p.port, p.protocol, p.ip))
            )
            nodes.append(NodeVars(used))
        return ClusterVars(tuple(nodes))

    def fragment(self, enc: Encoder, a: tuple[PortVars, ...], b: tuple[PortVars, ...], mode: str) -> list[Part]:
        """Upstream: the set of port numbers of every container; strict: the set of wanted triples."""
        if mode == "upstream":
            numbers_a = [Slot(p.present, (p.port,)) for p in a]
            numbers_b = [Slot(p.present, (p.port,)) for p in b]
            return [Part("HostPorts().port", set_equal(numbers_a, numbers_b))]

        def wanted(ports: tuple[PortVars, ...]) -> list[Slot]:
            return [Slot(z3.And(p.present, p.kind != PLAIN_INIT), _sanitised(enc, p)) for p in ports]

        return [Part("HostPorts().(hostIP, protocol, port)", set_equal(wanted(a), wanted(b)))]

    def result(
        self, enc: Encoder, pod: tuple[PortVars, ...], cluster: ClusterVars, prop: Property, node: int
    ) -> tuple[Expr, ...]:
        """Success without wanted ports (PreFilter Skip); Unschedulable on a conflict."""
        target: NodeVars = cluster.nodes[node]
        any_ip = enc.const(HOST_IPS, "0.0.0.0")
        conflicts = []
        for port in pod:
            ip, protocol, number = _sanitised(enc, port)
            for used in target.used:
                used_ip, used_protocol, used_number = _sanitised(enc, used)
                conflicts.append(
                    z3.And(
                        port.present,
                        port.kind != PLAIN_INIT,
                        used.present,
                        protocol == used_protocol,
                        number == used_number,
                        z3.Or(ip == any_ip, used_ip == ip, used_ip == any_ip),
                    )
                )
        return (z3.If(any_of(conflicts), UNSCHEDULABLE, SUCCESS),)

    def _port(self, enc: Encoder, model: Any, port: PortVars) -> ContainerPort:
        return ContainerPort(
            container_port=8080,
            host_port=enc.read_int(model, port.port),
            protocol=enc.read_opaque(model, PROTOCOLS, port.protocol),
            host_ip=enc.read_opaque(model, HOST_IPS, port.ip),
        )

    def decode_pod(self, enc: Encoder, model: Any, pod: tuple[PortVars, ...], name: str) -> Pod:
        """One container per present port, of the port's kind (plus an app container if none)."""
        apps: list[Container] = []
        inits: list[Container] = []
        for port in pod:
            if not enc.read_bool(model, port.present):
                continue
            kind = enc.read_int(model, port.kind)
            ports = (self._port(enc, model, port),)
            if kind == APP:
                apps.append(Container(name=f"c{len(apps)}", ports=ports))
            else:
                restart = "Always" if kind == SIDECAR else ""
                inits.append(Container(name=f"i{len(inits)}", ports=ports, restart_policy=restart))
        if not apps:
            apps.append(Container(name="c0"))
        return Pod(name=name, containers=tuple(apps), init_containers=tuple(inits))

    def decode_cluster(self, enc: Encoder, model: Any, cluster: ClusterVars) -> Cluster:
        """A node and the existing pod that holds its used ports."""
        name = "node-0"
        node = Node(
            name,
            labels=FrozenDict({"kubernetes.io/hostname": name}),
            allocatable=FrozenDict({"cpu": 4000, "memory": 8 << 30, "pods": 110}),
        )
        target: NodeVars = cluster.nodes[0]
        ports = tuple(self._port(enc, model, p) for p in target.used if enc.read_bool(model, p.present))
        existing = (
            (Pod(name="existing-0", node_name=name, containers=(Container(name="c0", ports=ports),)),) if ports else ()
        )
        return Cluster((node,), existing)
