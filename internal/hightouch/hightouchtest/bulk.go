package hightouchtest

import (
	"fmt"
	"strconv"
)

// Routes that drift, export and deploy --on-delete pause use.
const (
	RouteListModels = "GET /models"
	RoutePatchSync  = "PATCH /syncs/{syncId}" // pausing: {"disabled": true}
)

// Populate fills the fake with a workspace as a team builds one in the UI,
// without any Git Sync file: one source and one destination, models
// models (model-0001, ...) and syncs syncs (sync-0001, ...) spread over
// them, each sync with a mapping and an interval schedule. Listing it takes
// many pages. It returns the sync ids in slug order.
func (s *Server) Populate(models, syncs int) []string {
	src := s.AddSource(Source{Slug: "warehouse", Name: "Warehouse", Type: "snowflake"})
	dst := s.AddDestination(Destination{Slug: "crm", Name: "CRM", Type: "salesforce"})
	modelIDs := make([]string, max(models, 1))
	for i := range modelIDs {
		modelIDs[i] = s.AddModel(Model{Slug: fmt.Sprintf("model-%04d", i+1), Name: "Model " + strconv.Itoa(i+1),
			SourceID: src, SQL: fmt.Sprintf("select id, email\nfrom t%d", i+1), PrimaryKey: "id"})
	}
	ids := make([]string, syncs)
	for i := range ids {
		ids[i] = s.AddSync(Sync{Slug: fmt.Sprintf("sync-%04d", i+1), ModelID: modelIDs[i%len(modelIDs)], DestinationID: dst,
			Configuration: map[string]any{"mode": "upsert", "object": "Contact",
				"mappings": []any{map[string]any{"from": "email", "to": "Email", "type": "standard"}}},
			Schedule: map[string]any{"type": "interval", "schedule": map[string]any{"interval": map[string]any{"unit": "hour", "quantity": 1 + i%24}}}})
	}
	return ids
}
