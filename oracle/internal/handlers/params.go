package handlers

import (
	"encoding/json"

	"github.com/batchproof/batchproof/oracle/internal/protocol"
)

func decodeParams(raw json.RawMessage, out any) error {
	return protocol.Decode(raw, out)
}
