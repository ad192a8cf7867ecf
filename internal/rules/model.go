package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of a model file, alone and beside the other models.
var (
	ModelType = register(finding.Rule{ID: "model-type", Severity: finding.Warning,
		Summary: "The model type is not one htgit knows.",
		Help:    "Use raw_sql, table or dbt_model. Hightouch's API also has custom, visual and dbt_cloud models; how Git Sync spells them is not public, so htgit cannot check such a model's query."})
	ModelQueryField = register(finding.Rule{ID: "model-query-field", Severity: finding.Error,
		Summary: "The field that holds the query does not match the model's type.",
		Help:    "Set rawSql for raw_sql, tableName for table, dbtModel for dbt_model, and leave the other two null."})
	ModelDBTModel = register(finding.Rule{ID: "model-dbt-model", Severity: finding.Error,
		Summary: "dbtModel is not of the form model.<package>.<model>.",
		Help:    "Write the dbt unique id, e.g. model.analytics.dim_users."})
	ModelPrimaryKey = register(finding.Rule{ID: "model-primary-key", Severity: finding.Error,
		Summary: "primaryKey is empty.",
		Help:    "Name the column that identifies a row; Hightouch tracks changes by it."})
	ModelPrimaryKeyUnused = register(finding.Rule{ID: "model-primary-key-unused", Severity: finding.Warning,
		Summary: "A raw_sql query never mentions its primary key column.",
		Help:    "Select the primary key column in the query (or fix primaryKey); without it the sync cannot match rows."})
	ModelSourceRef = register(finding.Rule{ID: "model-source-ref", Severity: finding.Error,
		Summary: "A model's source is not listed in the manifest.",
		Help:    "Use a key of the manifest's sources; the source must exist in Hightouch."})
	ModelDuplicateName = register(finding.Rule{ID: "model-duplicate-name", Severity: finding.Warning,
		Summary: "Two models have the same name.",
		Help:    "Give each model its own name so people can tell them apart in Hightouch."})
)
