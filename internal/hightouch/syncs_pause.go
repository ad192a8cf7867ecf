package hightouch

import "context"

// PauseSync disables a sync (PATCH /syncs/{id} with disabled: true): it no
// longer runs on its schedule. The API has no delete; pausing is how a
// sync is retired. Sending it again changes nothing.
func (c *Client) PauseSync(ctx context.Context, id ID) (*Sync, error) {
	paused := true
	return c.UpdateSync(ctx, id, SyncUpdate{Disabled: &paused})
}
