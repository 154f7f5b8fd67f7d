"""NodePorts beyond the fixtures: which containers count, missing state, and the host-port signers."""

from __future__ import annotations

from typing import Any

from batchproof.model.cluster.snapshot import Snapshot
from batchproof.model.framework.cycle_state import CycleState
from batchproof.model.framework.evaluate import PluginEvaluation, evaluate_plugin
from batchproof.model.framework.interfaces import PluginContext, SignerMode
from batchproof.model.framework.status import Code
from batchproof.model.objects import Container, ContainerPort, Node, Pod
from batchproof.model.plugins.helpers.signers import HOST_PORTS_SIGNER, host_ports_fragment
from batchproof.model.plugins.node_ports import ERR_REASON
from batchproof.model.plugins.registry import DEFAULT_REGISTRY


def plugin(mode: SignerMode = "upstream") -> Any:
    return DEFAULT_REGISTRY.create("NodePorts", None, PluginContext(signers=mode))


def port(host_port: int, protocol: str = "TCP", host_ip: str = "") -> ContainerPort:
    return ContainerPort(container_port=host_port, host_port=host_port, protocol=protocol, host_ip=host_ip)


def container(*ports: ContainerPort, restart_policy: str = "") -> Container:
    return Container(name="c", image="pause", ports=ports, restart_policy=restart_policy)


def node_using(*ports: ContainerPort) -> Snapshot:
    existing = Pod(name="existing", node_name="n", containers=(container(*ports),))
    return Snapshot([Node("n")], [existing])


def run(pod: Pod, snapshot: Snapshot, mode: SignerMode = "upstream") -> PluginEvaluation:
    return evaluate_plugin(plugin(mode), pod, snapshot)


def sign(pod: Pod, mode: SignerMode) -> Any:
    fragments, status = plugin(mode).sign_pod(pod)
    assert status.is_success
    assert [f.key for f in fragments] == [HOST_PORTS_SIGNER]
    return fragments[0].value


def test_pod_without_host_ports_skips() -> None:
    pod = Pod(name="p", containers=(container(ContainerPort(container_port=80)),))
    result = run(pod, node_using(port(80)))
    assert result.pre_filter is not None
    assert result.pre_filter.code is Code.SKIP
    assert result.filter == {}


def test_filter_without_pre_filter_state_is_an_error() -> None:
    snapshot = node_using()
    status = plugin().filter(
        CycleState(snapshot), Pod(name="p", containers=(container(port(80)),)), snapshot.node_infos()[0]
    )
    assert status.code is Code.ERROR


def test_sidecar_host_ports_count_and_plain_init_container_ports_do_not() -> None:
    snapshot = node_using(port(80))
    sidecar = Pod(name="s", init_containers=(container(port(80), restart_policy="Always"),))
    init = Pod(name="i", init_containers=(container(port(80)),))
    assert run(sidecar, snapshot).filter["n"].reasons == (ERR_REASON,)
    assert run(init, snapshot).pre_filter.code is Code.SKIP  # type: ignore[union-attr]


def test_empty_host_ip_conflicts_with_any_ip_of_the_same_protocol() -> None:
    snapshot = node_using(port(8080, host_ip="10.0.0.1"))
    assert run(Pod(name="p", containers=(container(port(8080)),)), snapshot).filter["n"].code is Code.UNSCHEDULABLE
    assert run(Pod(name="p", containers=(container(port(8080, "UDP")),)), snapshot).filter["n"].is_success
    assert run(Pod(name="p", containers=(container(port(8080, host_ip="10.0.0.2")),)), snapshot).filter["n"].is_success


def test_protocol_gap_upstream_signs_numbers_only_strict_signs_triples() -> None:
    """Spec §10.6.1: 80/TCP and 80/UDP sign alike upstream while only one conflicts."""
    tcp = Pod(name="tcp", containers=(container(port(80, "TCP")),))
    udp = Pod(name="udp", containers=(container(port(80, "UDP")),))
    snapshot = node_using(port(80, "TCP"))
    assert run(tcp, snapshot).filter["n"].code is Code.UNSCHEDULABLE
    assert run(udp, snapshot).filter["n"].is_success
    assert sign(tcp, "upstream") == sign(udp, "upstream") == [80]
    assert sign(tcp, "strict") == [["0.0.0.0", "TCP", 80]]
    assert sign(udp, "strict") == [["0.0.0.0", "UDP", 80]]


def test_strict_signs_only_ports_filter_checks() -> None:
    """A plain init container's port never conflicts, a sidecar's does: strict tells them apart
    (the upstream signer, which lists every init container's port number, does not)."""
    sidecar = Pod(name="s", init_containers=(container(port(80), restart_policy="Always"),))
    init = Pod(name="i", init_containers=(container(port(80)),))
    snapshot = node_using(port(80))
    assert run(sidecar, snapshot).filter["n"].code is not run(init, snapshot).pre_filter.code  # type: ignore[union-attr]
    assert sign(sidecar, "upstream") == sign(init, "upstream") == [80]
    assert host_ports_fragment(sidecar, "strict") != host_ports_fragment(init, "strict")
    assert sign(sidecar, "strict") != sign(init, "strict")
    assert sign(init, "strict") == []


def test_signatures_are_sorted_and_deduplicated() -> None:
    pod = Pod(
        name="p",
        containers=(container(port(9000), port(80, "UDP"), port(80, "UDP")), container(port(80, host_ip="1.2.3.4"))),
    )
    assert sign(pod, "upstream") == [80, 9000]
    assert sign(pod, "strict") == [["0.0.0.0", "TCP", 9000], ["0.0.0.0", "UDP", 80], ["1.2.3.4", "TCP", 80]]
