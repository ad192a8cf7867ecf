package comment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// azureVersion is the Azure DevOps REST API version the client speaks.
const azureVersion = "7.1"

// Azure is a pull request's comment threads on Azure DevOps
// (https://learn.microsoft.com/rest/api/azure/devops/git/pull-request-threads,
// https://learn.microsoft.com/rest/api/azure/devops/git/pull-request-thread-comments/update),
// with the pipeline's System.AccessToken as a bearer token (its build
// service identity needs "Contribute to pull requests").
type Azure struct {
	api
	project, repo, id string
}

// NewAzure returns the client for pull request id of repository repo in
// project, at collection (System.CollectionUri, such as
// https://dev.azure.com/ORG/).
func NewAzure(collection, project, repo, id, token string) *Azure {
	return &Azure{api: newAPI(collection, bearer(token)), project: project, repo: repo, id: id}
}

type azureComment struct {
	ID              int64  `json:"id,omitempty"`
	ParentCommentID int64  `json:"parentCommentId"`
	Content         string `json:"content"`
	CommentType     string `json:"commentType,omitempty"`
	IsDeleted       bool   `json:"isDeleted,omitempty"`
}

type azureThread struct {
	ID        int64          `json:"id,omitempty"`
	Comments  []azureComment `json:"comments"`
	Status    string         `json:"status,omitempty"`
	IsDeleted bool           `json:"isDeleted,omitempty"`
}

func (a *Azure) threads() string {
	return fmt.Sprintf("%s/%s/_apis/git/repositories/%s/pullRequests/%s/threads", a.base,
		url.PathEscape(a.project), url.PathEscape(a.repo), url.PathEscape(a.id))
}

// List reads the threads' first comments, following Azure DevOps'
// x-ms-continuationtoken header when an answer carries one.
func (a *Azure) List(ctx context.Context) ([]Comment, error) {
	var out []Comment
	token := ""
	for {
		u := a.threads() + "?api-version=" + azureVersion
		if token != "" {
			u += "&continuationToken=" + url.QueryEscape(token)
		}
		var page struct {
			Value []azureThread `json:"value"`
		}
		h, err := a.do(ctx, http.MethodGet, u, nil, &page)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Value {
			if t.IsDeleted || len(t.Comments) == 0 || t.Comments[0].IsDeleted {
				continue
			}
			c := t.Comments[0]
			out = append(out, Comment{ID: strconv.FormatInt(c.ID, 10), Thread: strconv.FormatInt(t.ID, 10), Body: c.Content})
		}
		if token = h.Get("x-ms-continuationtoken"); token == "" {
			return out, nil
		}
	}
}

// Create opens a closed thread: a plan is information, and an active
// thread would hold the pull request under a "resolve all comments"
// branch policy.
func (a *Azure) Create(ctx context.Context, body string) error {
	t := azureThread{Comments: []azureComment{{Content: body, CommentType: "text"}}, Status: "closed"}
	_, err := a.do(ctx, http.MethodPost, a.threads()+"?api-version="+azureVersion, t, nil)
	return err
}

func (a *Azure) Update(ctx context.Context, c Comment, body string) error {
	u := fmt.Sprintf("%s/%s/comments/%s?api-version=%s", a.threads(), url.PathEscape(c.Thread), url.PathEscape(c.ID), azureVersion)
	_, err := a.do(ctx, http.MethodPatch, u, map[string]string{"content": body}, nil)
	return err
}
