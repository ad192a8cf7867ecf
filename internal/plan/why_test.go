package plan

import (
	"testing"

	"github.com/htgit/htgit/internal/gitdiff"
)

func TestWords(t *testing.T) {
	tests := []struct {
		v    interface{ String() string }
		want string
	}{
		{Reason{Cause: EverySync, Change: gitdiff.Current}, "every sync treated as changed"},
		{Reason{Cause: SyncChanged, Change: gitdiff.Added}, "sync added"},
		{Reason{Cause: ModelChanged, Change: gitdiff.Renamed, Model: "users"}, "model users renamed"},
		{Resync{}, "incremental"},
		{Resync{Kind: ResyncForced}, "--full-resync always"},
		{Resync{Kind: ResyncNewSync}, "new sync"},
		{Resync{Kind: KeyChanged, Model: "users", From: "id", To: "user_id"}, `primary key of users changed from "id" to "user_id"`},
		{Resync{Kind: KeyDiffers, Model: "users", From: "id", To: "user_id"}, `primary key of users in Hightouch is "id", the workspace now gives "user_id"`},
		{gitdiff.Modified, "modified"},
		{gitdiff.Current, "current"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.v, got, tt.want)
		}
	}
	if (Resync{}).Full() || !(Resync{Kind: ResyncNewSync}).Full() {
		t.Error("Full() disagrees with the kind")
	}
}
