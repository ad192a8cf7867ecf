package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/cihost"
	"github.com/htgit/htgit/internal/comment"
	"github.com/htgit/htgit/internal/comment/commenttest"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
)

// TestKeepCommentNoChange: a merge request that does not touch the Git
// Sync folder gets no comment, and an earlier one is edited to say so;
// without a token there is one notice naming the variable, and no request.
func TestKeepCommentNoChange(t *testing.T) {
	fake := commenttest.New(t, commenttest.GitLab, "tok")
	env := map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event", "CI_API_V4_URL": fake.URL,
		"CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7"}
	host, err := cihost.Detect(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := &Command{Stdout: &out}
	untouched := &plan.Plan{Prefix: "hightouch"}

	c.keepComment(context.Background(), host, "", report.Input{}, nil, untouched, "")
	if !strings.Contains(out.String(), "GITLAB_TOKEN") || len(fake.Requests()) != 0 {
		t.Errorf("no token: %q, %d requests", out.String(), len(fake.Requests()))
	}

	c.keepComment(context.Background(), host, "tok", report.Input{}, nil, untouched, "")
	if len(fake.Bodies()) != 0 {
		t.Errorf("a comment was created for a change outside the folder: %q", fake.Bodies())
	}

	fake.Add(comment.Marker + "\nthe plan of an earlier push")
	c.keepComment(context.Background(), host, "tok", report.Input{}, nil, untouched, "")
	if b := fake.Bodies(); len(b) != 1 || b[0] != comment.NoChangeBody("hightouch") {
		t.Errorf("the earlier comment reads %q", b)
	}
}
