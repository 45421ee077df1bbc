// Package layering holds the test that keeps zoo's packages layered as
// docs/architecture.md draws them: data flows from recipes to the pipeline
// to the run directory, and no package reaches back up the chain. It also
// keeps notebooks/nb, the notebooks' helpers, out of every other package.
package layering
