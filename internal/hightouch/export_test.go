package hightouch

import (
	"context"
	"net/url"
)

// SetMaxListed lowers the bound on a listing for a test and returns what
// restores it.
func SetMaxListed(n int) (restore func()) {
	old := maxListed
	maxListed = n
	return func() { maxListed = old }
}

// SyncsWithSlug lists the syncs with ?slug=, as tools that look each slug
// up do: for the benchmark that compares them with one listing.
func (c *Client) SyncsWithSlug(ctx context.Context, slug string) ([]Sync, error) {
	return list(ctx, c, syncs, url.Values{"slug": {slug}})
}
