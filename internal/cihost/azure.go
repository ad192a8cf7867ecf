package cihost

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/htgit/htgit/internal/comment"
	"github.com/htgit/htgit/internal/report"
)

// azure reads Azure Pipelines' predefined variables
// (https://learn.microsoft.com/azure/devops/pipelines/build/variables).
// BUILD_REASON PullRequest is a pull request build, which checks out the
// merge commit; its base is SYSTEM_PULLREQUEST_TARGETBRANCH, fetched. A
// CI build (IndividualCI, BatchedCI) is a push, and Azure names no
// previous commit, so the first parent of the merge or pushed commit is
// taken.
func azure(getenv func(string) string) *Host {
	h := &Host{Name: "azure", Title: "Azure Pipelines", Format: "azure",
		Dir: getenv("BUILD_SOURCESDIRECTORY"), Head: getenv("BUILD_SOURCEVERSION"),
		shallow: "set fetchDepth: 0 on the pipeline's checkout step (https://learn.microsoft.com/azure/devops/pipelines/yaml-schema/steps-checkout)"}
	collection, project := getenv("SYSTEM_COLLECTIONURI"), getenv("SYSTEM_TEAMPROJECT")
	if id := getenv("BUILD_BUILDID"); collection != "" && project != "" && id != "" {
		h.RunURL = strings.TrimSuffix(collection, "/") + "/" + project + "/_build/results?buildId=" + id
	}
	switch getenv("BUILD_REASON") {
	case "PullRequest":
		h.Event, h.ChangeRequest = ChangeRequest, getenv("SYSTEM_PULLREQUEST_PULLREQUESTID")
		// The docs give refs/heads/main; GitHub pull requests give main.
		target := getenv("SYSTEM_PULLREQUEST_TARGETBRANCH")
		h.TargetBranch = cmpBranch(target)
		h.Branch = cmpBranch(getenv("SYSTEM_PULLREQUEST_SOURCEBRANCH"))
		h.Head = cmp.Or(getenv("SYSTEM_PULLREQUEST_SOURCECOMMITID"), h.Head)
	case "IndividualCI", "BatchedCI":
		if h.Branch = IsBranch(getenv("BUILD_SOURCEBRANCH")); h.Branch != "" {
			h.Event = Push
		}
	default:
		h.Branch = IsBranch(getenv("BUILD_SOURCEBRANCH"))
	}
	h.Summary = func(w io.Writer, md string) error { return azureSummary(w, getenv, md) }
	// Threads on Azure Repos only: a GitHub repository built by Azure
	// Pipelines has its pull requests on GitHub.
	if p := getenv("BUILD_REPOSITORY_PROVIDER"); p == "" || p == "TfsGit" {
		h.TokenVar = "SYSTEM_ACCESSTOKEN"
		h.enable = "the step maps the job's token into its environment (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)) and the project's build service may contribute to pull requests"
		h.comments = func(token string) comment.Client {
			return comment.NewAzure(collection, project, getenv("BUILD_REPOSITORY_NAME"), h.ChangeRequest, token)
		}
	}
	return h
}

// cmpBranch takes a branch as refs/heads/x or x.
func cmpBranch(ref string) string {
	if b := IsBranch(ref); b != "" {
		return b
	}
	return ref
}

// azureSummary writes the markdown to a file in the agent's temporary
// folder and uploads it as a section of the build summary
// (https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands#uploadsummary-add-some-markdown-content-to-the-build-summary),
// which takes an absolute path.
func azureSummary(w io.Writer, getenv func(string) string, md string) error {
	dir := getenv("AGENT_TEMPDIRECTORY")
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "htgit-summary-*.md")
	if err != nil {
		return fmt.Errorf("writing the build summary: %w", err)
	}
	_, err = io.WriteString(f, md)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the build summary: %w", err)
	}
	path, err := filepath.Abs(f.Name())
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, report.AzureCommand("task.uploadsummary", nil, path))
	return err
}
