//go:build race

package schema

// raceEnabled: the race detector slows validation several times over, so
// time bounds are not checked under it.
const raceEnabled = true
