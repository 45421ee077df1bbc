// Package citations holds the test that keeps the repository's citations
// of the lecture resolvable: every "docs/lecture.md §N" in a Go file, a
// Markdown page, a notebook or a built-in recipe names a section that
// docs/lecture.md has, and nothing cites the lecture by a document the
// repository does not contain.
package citations
