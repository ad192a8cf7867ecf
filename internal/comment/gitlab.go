package comment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// GitLab is a merge request's notes (https://docs.gitlab.com/api/notes/#merge-requests).
// A CI job token cannot write notes, so the token is a project, group or
// personal access token with the api scope, sent in the PRIVATE-TOKEN
// header.
type GitLab struct {
	api
	project string // CI_PROJECT_ID
	iid     string // CI_MERGE_REQUEST_IID
}

// NewGitLab returns the client for merge request iid of project at base
// (CI_API_V4_URL).
func NewGitLab(base, project, iid, token string) *GitLab {
	return &GitLab{api: newAPI(base, func(r *http.Request) { r.Header.Set("PRIVATE-TOKEN", token) }), project: project, iid: iid}
}

type gitlabNote struct {
	ID     int64  `json:"id"`
	Body   string `json:"body"`
	System bool   `json:"system"`
}

func (g *GitLab) notes() string {
	return fmt.Sprintf("%s/projects/%s/merge_requests/%s/notes", g.base, url.PathEscape(g.project), url.PathEscape(g.iid))
}

// List reads every page: GitLab names the next page in X-Next-Page, empty
// on the last (https://docs.gitlab.com/api/rest/#pagination). System notes
// (GitLab's own "added 1 commit") are left out.
func (g *GitLab) List(ctx context.Context) ([]Comment, error) {
	var out []Comment
	for page := "1"; page != ""; {
		var notes []gitlabNote
		h, err := g.do(ctx, http.MethodGet, g.notes()+"?per_page=100&page="+url.QueryEscape(page), nil, &notes)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			if !n.System {
				out = append(out, Comment{ID: strconv.FormatInt(n.ID, 10), Body: n.Body})
			}
		}
		page = h.Get("X-Next-Page")
	}
	return out, nil
}

func (g *GitLab) Create(ctx context.Context, body string) error {
	_, err := g.do(ctx, http.MethodPost, g.notes(), map[string]string{"body": body}, nil)
	return err
}

func (g *GitLab) Update(ctx context.Context, c Comment, body string) error {
	_, err := g.do(ctx, http.MethodPut, g.notes()+"/"+url.PathEscape(c.ID), map[string]string{"body": body}, nil)
	return err
}
