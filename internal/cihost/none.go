package cihost

// none is the plain command line (or a CI htgit does not know): no
// change request, no push, nothing to comment on; findings as text.
func none(getenv func(string) string) *Host {
	return &Host{Name: "none", Title: "the command line", Format: "text",
		shallow: "fetch the commit (git fetch --unshallow)"}
}
