package plan

import (
	"fmt"

	"github.com/htgit/htgit/internal/gitdiff"
)

// Cause is what makes a change touch a sync.
type Cause int

const (
	EverySync    Cause = iota // --all: every sync counts as changed
	SyncChanged               // the sync's own file changed
	ModelChanged              // the file of the model it reads changed
)

// Reason is why a run is in the plan. Words are made only by String.
type Reason struct {
	Cause  Cause
	Change gitdiff.Status // how the sync's or the model's file changed
	Model  string         // ModelChanged: the model's slug
}

func (r Reason) String() string {
	switch r.Cause {
	case EverySync:
		return "every sync treated as changed"
	case SyncChanged:
		return "sync " + r.Change.String()
	case ModelChanged:
		return fmt.Sprintf("model %s %s", r.Model, r.Change)
	}
	return fmt.Sprintf("Cause(%d)", int(r.Cause))
}

// ResyncKind is why a run is a full resync.
type ResyncKind int

const (
	Incremental   ResyncKind = iota // no full resync
	ResyncForced                    // --full-resync always
	ResyncNewSync                   // a sync new to Hightouch
	KeyChanged                      // the model's primary key changed between the commits
	KeyDiffers                      // Hightouch has the model with another primary key
)

// Resync says whether and why a run is a full resync.
type Resync struct {
	Kind     ResyncKind
	Model    string // KeyChanged, KeyDiffers: the model
	From, To string // KeyChanged, KeyDiffers: the primary key before and now
}

// Full reports a full resync.
func (r Resync) Full() bool { return r.Kind != Incremental }

func (r Resync) String() string {
	switch r.Kind {
	case Incremental:
		return "incremental"
	case ResyncForced:
		return "--full-resync always"
	case ResyncNewSync:
		return "new sync"
	case KeyChanged:
		return fmt.Sprintf("primary key of %s changed from %q to %q", r.Model, r.From, r.To)
	case KeyDiffers:
		return fmt.Sprintf("primary key of %s in Hightouch is %q, the workspace now gives %q", r.Model, r.From, r.To)
	}
	return fmt.Sprintf("ResyncKind(%d)", int(r.Kind))
}
