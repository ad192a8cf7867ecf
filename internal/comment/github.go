package comment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// GitHub is a pull request's comments through GitHub's issue comments API
// (https://docs.github.com/rest/issues/comments): a pull request is an
// issue, and its conversation comments are the issue's.
type GitHub struct {
	api
	repo   string // owner/name
	number int
}

// NewGitHub returns the client for pull request number of repo (owner/name)
// at base (GITHUB_API_URL, https://api.github.com on github.com), with a
// token that may write pull requests (the workflow's GITHUB_TOKEN with
// pull-requests: write).
func NewGitHub(base, repo string, number int, token string) *GitHub {
	return &GitHub{api: newAPI(base, func(r *http.Request) {
		bearer(token)(r)
		r.Header.Set("Accept", "application/vnd.github+json")
		r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	}), repo: repo, number: number}
}

type githubComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

func (g *GitHub) issue() string {
	return fmt.Sprintf("%s/repos/%s/issues/%d/comments", g.base, g.repo, g.number)
}

// nextLink reads the rel="next" URL of a Link header, GitHub's pagination
// (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
var nextLink = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// List reads every page, 100 comments a page.
func (g *GitHub) List(ctx context.Context) ([]Comment, error) {
	var out []Comment
	for u := g.issue() + "?per_page=100"; u != ""; {
		var page []githubComment
		h, err := g.do(ctx, http.MethodGet, u, nil, &page)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			out = append(out, Comment{ID: strconv.FormatInt(c.ID, 10), Body: c.Body})
		}
		u = ""
		if m := nextLink.FindStringSubmatch(h.Get("Link")); m != nil {
			u = m[1]
		}
	}
	return out, nil
}

func (g *GitHub) Create(ctx context.Context, body string) error {
	_, err := g.do(ctx, http.MethodPost, g.issue(), map[string]string{"body": body}, nil)
	return err
}

func (g *GitHub) Update(ctx context.Context, c Comment, body string) error {
	u := fmt.Sprintf("%s/repos/%s/issues/comments/%s", g.base, g.repo, url.PathEscape(c.ID))
	_, err := g.do(ctx, http.MethodPatch, u, map[string]string{"body": body}, nil)
	return err
}
