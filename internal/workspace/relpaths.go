package workspace

// RelPaths gives the forms a path is matched in by globs the user writes
// (--exclude, the configuration's ignore): relative to the repository root
// and to the Git Sync folder, forward slashes.
func (ws *Workspace) RelPaths(abs string) []string {
	return []string{relTo(ws.Root, abs), relTo(ws.Dir, abs)}
}
