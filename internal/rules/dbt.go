package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of the dbt project a dbt_model names (model.<package>.<model>),
// checked in the same repository.
var (
	DBTModelMissing = register(finding.Rule{ID: "dbt-model-missing", Severity: finding.Error,
		Summary: "dbtModel names no enabled model of the repository's dbt project.",
		Help:    "Hightouch finds out at the next run, which fails. Use the unique_id of an enabled model (the closest ones are named), or restore the dbt model. Without a compiled manifest (dbt compile writes target/manifest.json) htgit reads the model files, and says where it cannot be sure."})
	DBTModelRemoved = register(finding.Rule{ID: "dbt-model-removed", Severity: finding.Error,
		Summary: "The change deletes or renames the dbt model file a Hightouch model uses.",
		Help:    "The Hightouch model's next run fails once dbt no longer builds the model. Keep the dbt model, or point dbtModel at its replacement in the same change."})
	DBTProject = register(finding.Rule{ID: "dbt-project", Severity: finding.Notice,
		Summary: "What htgit could not read of the dbt project, or which of several it used.",
		Help:    "Set dbt: {project: DIR, manifest: FILE} in .htgit.yaml to name the project and its compiled manifest (dbt compile writes target/manifest.json)."})
)
