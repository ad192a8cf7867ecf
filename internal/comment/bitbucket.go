package comment

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// BitbucketAPI is Bitbucket Cloud's REST API.
const BitbucketAPI = "https://api.bitbucket.org/2.0"

// Bitbucket is a pull request's comments on Bitbucket Cloud
// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-pullrequests/#api-repositories-workspace-repo-slug-pullrequests-pull-request-id-comments-get),
// with a repository or workspace access token sent as a bearer token.
type Bitbucket struct {
	api
	workspace, repo, id string
}

// NewBitbucket returns the client for pull request id of workspace/repo
// at base (BitbucketAPI).
func NewBitbucket(base, workspace, repo, id, token string) *Bitbucket {
	return &Bitbucket{api: newAPI(base, bearer(token)), workspace: workspace, repo: repo, id: id}
}

type bitbucketContent struct {
	Raw string `json:"raw"`
}

type bitbucketComment struct {
	ID      int64            `json:"id"`
	Content bitbucketContent `json:"content"`
	Deleted bool             `json:"deleted"`
}

// bitbucketPage is Bitbucket's paginated list: the next page's URL in
// "next", absent on the last
// (https://developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination).
type bitbucketPage struct {
	Values []bitbucketComment `json:"values"`
	Next   string             `json:"next"`
}

func (b *Bitbucket) comments() string {
	return fmt.Sprintf("%s/repositories/%s/%s/pullrequests/%s/comments", b.base,
		url.PathEscape(b.workspace), url.PathEscape(b.repo), url.PathEscape(b.id))
}

// List reads every page, 100 a page; deleted comments are left out.
func (b *Bitbucket) List(ctx context.Context) ([]Comment, error) {
	var out []Comment
	for u := b.comments() + "?pagelen=100"; u != ""; {
		var page bitbucketPage
		if _, err := b.do(ctx, http.MethodGet, u, nil, &page); err != nil {
			return nil, err
		}
		for _, c := range page.Values {
			if !c.Deleted {
				out = append(out, Comment{ID: strconv.FormatInt(c.ID, 10), Body: c.Content.Raw})
			}
		}
		u = page.Next
	}
	return out, nil
}

func (b *Bitbucket) Create(ctx context.Context, body string) error {
	_, err := b.do(ctx, http.MethodPost, b.comments(), map[string]any{"content": bitbucketContent{Raw: body}}, nil)
	return err
}

func (b *Bitbucket) Update(ctx context.Context, c Comment, body string) error {
	_, err := b.do(ctx, http.MethodPut, b.comments()+"/"+url.PathEscape(c.ID), map[string]any{"content": bitbucketContent{Raw: body}}, nil)
	return err
}
