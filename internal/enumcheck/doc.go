// Package enumcheck holds a check of htgit's own source that the compiler
// does not make: every switch on one of htgit's enumerations names each of
// its values, so a value added later cannot fall silently into a default
// branch. It has no code; see its test.
package enumcheck
