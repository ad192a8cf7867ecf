package schema

import (
	"encoding/json"
	"math"
	"math/big"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/workspace"
)

// scalar is workspace.Scalar with the values JSON has no form for (integers
// beyond int64, infinities, NaN) written as json.Number, which the validator
// takes for a number.
func scalar(n *yaml.Node) any {
	switch v := workspace.Scalar(n).(type) {
	case *big.Int:
		return json.Number(v.String())
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return json.Number(n.Value)
		}
		return v
	default:
		return v
	}
}
