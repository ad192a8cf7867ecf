package hightouch

// SetMaxListed lowers the bound on a listing for a test and returns what
// restores it.
func SetMaxListed(n int) (restore func()) {
	old := maxListed
	maxListed = n
	return func() { maxListed = old }
}
