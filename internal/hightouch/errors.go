package hightouch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ErrTriggerUncertain marks a trigger whose outcome is unknown: the request
// reached Hightouch (or may have) and then the answer was lost. It is never
// retried, because Hightouch has no idempotency key and a retry could start a
// second run.
var ErrTriggerUncertain = errors.New("the trigger may have started a run; check the sync's runs in Hightouch before triggering again")

// ErrUnavailable is matched by errors.Is when Hightouch could not be reached
// or answered wrongly: no connection, no answer in time, a 5xx or 429 after
// the retries, a redirect, a page that is not Hightouch's JSON, a listing
// that does not advance. Trying again later may help; fixing htgit will not.
//
//lint:ignore ST1005 Hightouch is a name; the text is printed as a sentence.
var ErrUnavailable = errors.New("Hightouch could not be reached or answered wrongly")

// ErrNotFound is matched by errors.Is for a 404 and for a slug that no
// listed resource has.
var ErrNotFound = errors.New("not found")

// Error is every failure the client returns: an HTTP answer Hightouch gave
// (Status set) or a request that got no usable answer (Err set).
type Error struct {
	Status  int    // HTTP status; 0 when no answer arrived
	Message string // Hightouch's "message" (or the bare string body)
	Details any    // Hightouch's "details": an object, a string or nil
	Method  string
	Path    string // relative to the base URL, with the query
	Hint    string // what usually causes this, for people
	Err     error  // the transport or decoding cause, if any

	ambiguous   bool    // Hightouch may have acted on the request
	unavailable bool    // matches ErrUnavailable
	secret      *secret // the key's forms, redacted from Error()
}

func (e *Error) Error() string {
	head := e.Message
	if e.Status != 0 {
		head = strings.TrimSpace(strconv.Itoa(e.Status) + " " + e.Message)
	}
	parts := []string{"hightouch: " + strings.TrimSpace(e.Method+" "+e.Path)}
	for _, p := range []string{head, detailsText(e.Details)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	msg := strings.Join(parts, ": ")
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	if e.secret != nil {
		// The body was redacted before decoding; a transport error can
		// still quote the server.
		msg = e.secret.redactString(msg)
	}
	return printable(msg, true)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for a 404, and
// errors.Is(err, ErrUnavailable) for an outage or a wrong answer.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnavailable:
		return e.unavailable
	}
	return false
}

// detailsText renders details compactly; maps are marshalled with sorted keys.
func detailsText(d any) string {
	switch v := d.(type) {
	case nil:
		return ""
	case string:
		return message(v)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Sprint(d)
	}
	if string(b) == "{}" {
		return ""
	}
	return message(string(b))
}

// decodeErrorBody reads Hightouch's error shapes: {"message", "details"} or
// {"error"}, a bare JSON string ("Internal Server Error"), or any text a proxy
// put there.
func decodeErrorBody(body []byte) (msg string, details any) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", nil
	}
	var obj struct {
		Message string `json:"message"`
		Error   string `json:"error"`
		Details any    `json:"details"`
	}
	if json.Unmarshal(body, &obj) == nil {
		if obj.Message == "" {
			obj.Message = obj.Error
		}
		return message(obj.Message), obj.Details
	}
	var s string
	if json.Unmarshal(body, &s) == nil {
		return message(s), nil
	}
	return message(strings.TrimSpace(string(body))), nil
}

// hint explains the usual cause of a status.
func hint(status int, details any) string {
	switch {
	case status == http.StatusUnauthorized:
		return "the API key was refused: check that HIGHTOUCH_API_KEY holds a valid key of this workspace"
	case status == http.StatusForbidden:
		return "the API key lacks the permission for this call"
	case status == http.StatusNotFound:
		return "no such id in this workspace: wrong workspace, or the resource was deleted"
	case status == http.StatusConflict:
		return "a resource with this slug already exists"
	case status == http.StatusUnprocessableEntity:
		if m, ok := details.(map[string]any); ok && len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			return "Hightouch rejected these fields: " + message(strings.Join(keys, ", "))
		}
		return "Hightouch rejected the request body"
	case status == http.StatusTooManyRequests:
		return "Hightouch's rate limit was hit and retries ran out; lower the request rate or try later"
	case status >= 500:
		return "Hightouch had a server error; try again later"
	}
	return ""
}
