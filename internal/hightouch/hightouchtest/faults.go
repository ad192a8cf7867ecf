package hightouchtest

import "time"

// Drop closes the connection instead of answering.
type Drop int

const (
	// NoDrop answers normally.
	NoDrop Drop = iota
	// DropBeforeBody closes the connection before reading the request body:
	// the request has no effect.
	DropBeforeBody
	// DropAfterBody handles the request (a trigger starts its run) and then
	// closes the connection: the effect happens but the answer is lost.
	DropAfterBody
)

// Fault changes how the server treats one request (or Times requests) to a
// route. Fields combine: Latency applies before anything else.
type Fault struct {
	Status     int           // answer this status instead of handling the request: 429, 500 (bare string body), 502, 503...
	RetryAfter string        // Retry-After header sent with Status, in seconds or as an HTTP date
	Latency    time.Duration // extra delay before the request is handled
	Drop       Drop          // close the connection
	Truncate   bool          // send only the first half of the JSON answer
	Times      int           // how many requests this fault applies to; 0 means 1
}

// Fault queues faults for route (e.g. RouteTrigger, "GET /models", or
// AnyRoute): each request to the route takes the next one, and once they
// are used up the route behaves normally again. Faults for the route itself
// are taken before AnyRoute's.
func (s *Server) Fault(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		f.Times = max(f.Times, 1)
		s.faults[route] = append(s.faults[route], f)
	}
}

// takeFault pops the fault for one request to route; the zero Fault if none.
func (s *Server) takeFault(route string) Fault {
	for _, key := range []string{route, AnyRoute} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		if q[0].Times--; q[0].Times == 0 {
			s.faults[key] = q[1:]
		}
		return f
	}
	return Fault{}
}
