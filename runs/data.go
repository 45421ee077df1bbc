package runs

// DataRecord is where a run's data came from and the digests of the files
// it was read from, in summary.json and the checkpoint: a resumed run and
// an evaluation read the same data again, and refuse data that has
// changed or gone rather than silently reading another data set (the
// built-in MNIST when --data is not given again). Runs written before it
// was recorded lack it.
type DataRecord struct {
	// Name is the recipe's data.name.
	Name string `json:"name"`
	// Source says how the data was found: "built-in" (the copy of MNIST in
	// zoo), "download" (fashion-mnist or kmnist in the user's cache,
	// checked against their published digests), "dir" (a directory given
	// with --data or data.dir) or "files" (the user's files named in
	// data.files).
	Source string `json:"source"`
	// Dir is the absolute path of the directory of a "dir" source.
	Dir string `json:"dir,omitempty"`
	// Files are the files read, by role (train, train_labels, test, …).
	Files map[string]DataFile `json:"files"`
}

// The sources of a DataRecord.
const (
	DataBuiltIn  = "built-in"
	DataDownload = "download"
	DataDir      = "dir"
	DataFiles    = "files"
)

// DataFile is one file of a DataRecord.
type DataFile struct {
	// Path is the file's absolute path; for the built-in MNIST, the name
	// of the file embedded in zoo.
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}
