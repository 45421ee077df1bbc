// Package shipped holds the trained models that come with zoo: the runs of
// built-in recipes (mlp-mnist, dae-mnist, sdae-mnist) at their default
// profile and seed, embedded in the package, so that a user predicts,
// encodes or fine-tunes before training anything. Each is a run directory
// as package runs writes it (recipe.yaml, summary.json, metrics.csv,
// model.safetensors in float32) with a model card, MODEL_CARD.md: the data
// and its licence, the recipe, the figures, the seed, the kernel that
// computed them and the command that reproduces them.
//
// The weights are in this package alone: a program that imports models,
// runs or pipeline does not carry them; one that imports shipped does.
//
// One call opens a shipped model:
//
//	m, err := shipped.Load("sdae-mnist") // what runs.Load returns
//	...
//	defer m.Close()
//	digits, err := m.Predict(pixels) // 784 values in [0, 1] per digit
//
// Commands and programs that take a run directory name a shipped model as
// zoo:NAME (Prefix); Resolve turns such a name into a directory. Since
// package runs reads run directories from disk, Dir unpacks a shipped run
// into zoo's cache directory (os.UserCacheDir()/zoo/shipped/NAME-DIGEST,
// DIGEST from the files' contents, the files read-only), once per content,
// and checks the copy against the embedded files at every call, unpacking
// it again if it was changed. Nothing writes into it: zoo's commands refuse
// to resume or write a run there.
//
// scripts/shipmodels trains the recipes and writes the package's files
// (docs/shipped.md).
package shipped
