package runs

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// File names inside a run directory.
const (
	RecipeFile  = "recipe.yaml"
	MetricsFile = "metrics.csv"
	SummaryFile = "summary.json"
	WeightsFile = "model.safetensors"
)

// Summary is summary.json: what was run and how well it did. Errors are
// fractions (0.0123 means 1.23 %).
type Summary struct {
	Recipe     string `json:"recipe"`
	Seed       uint64 `json:"seed"`
	Epochs     int    `json:"epochs"`
	Updates    int    `json:"updates"`
	Parameters int    `json:"parameters"`
	Train      int    `json:"train_examples"`
	Validation int    `json:"validation_examples"`
	Test       int    `json:"test_examples"`
	// InputShape is the shape of one training example, e.g. [28 28]: the
	// data given with --data may hold pictures of another size, and Load
	// needs it to rebuild the model. Runs written before it was recorded
	// lack it; they were MNIST's 28×28.
	InputShape []int `json:"input_shape,omitempty"`
	// Classes is the number of classes a classifier was trained on, from
	// its data; absent for an autoencoder. Runs written before it was
	// recorded were MNIST's 10 digits, or 2 classes with data.positive.
	Classes   int     `json:"classes,omitempty"`
	TrainLoss float64 `json:"train_loss"`
	ValLoss   float64 `json:"val_loss"`
	ValError  float64 `json:"val_error"`
	TestLoss  float64 `json:"test_loss"`
	TestError float64 `json:"test_error"`
	// ValReconstructionLoss and TestReconstructionLoss are an autoencoder's
	// mean reconstruction loss (per input feature) on clean validation and
	// test inputs; absent for classifiers, whose errors are then the ones
	// above. For an autoencoder ValLoss and TestLoss repeat them.
	ValReconstructionLoss  float64 `json:"val_reconstruction_loss,omitempty"`
	TestReconstructionLoss float64 `json:"test_reconstruction_loss,omitempty"`
	// TestELBONats is a variational autoencoder's negative ELBO on the
	// test set, in nats per example (TestLoss repeats it; ValLoss is the
	// same on the validation set), and TestKLNats its KL term, KL(q(z|x) ‖
	// p(z)); both estimated with one z per example (see infer.VAE.ELBO).
	// Absent for other models.
	TestELBONats float64 `json:"test_elbo_nats,omitempty"`
	TestKLNats   float64 `json:"test_kl_nats,omitempty"`
	// Pretrain is an sdae's greedy pretraining, one entry per layer; the
	// fields above are then those of the fine-tuning.
	Pretrain []LayerSummary `json:"pretrain,omitempty"`
	// TestClasses gives precision, recall and F1 per class on the test set
	// (classifiers). For a two-class task F1 of class 1 is also its Dice
	// score on hard predictions.
	TestClasses []infer.ClassScore `json:"test_classes,omitempty"`
	// BestUpdate, BestEpoch and BestScore locate the best validation
	// evaluation under early stopping, whose model the run keeps (the val_
	// and test_ figures above are then those of that model, the val_ ones as
	// measured at the end of the last epoch); StopReason says why training
	// ended. All absent without early stopping.
	BestUpdate int     `json:"best_update,omitempty"`
	BestEpoch  int     `json:"best_epoch,omitempty"`
	BestScore  float64 `json:"best_score,omitempty"`
	StopReason string  `json:"stop_reason,omitempty"`
	// Seconds is the wall time of training and evaluation, data loading
	// excluded: the epochs' times (validation included; for an sdae its
	// pretraining epochs too) and the final test evaluation. A resumed run
	// counts the epochs before its interruption as they were recorded.
	Seconds float64 `json:"seconds"`
	// MatmulFlops is the floating-point operations of all the run's matrix
	// products, counted as they were computed (see cblas.Counter: 2·m·n·k
	// per product of an m×k by a k×n matrix): the training steps forward
	// and backward, every validation and test evaluation, an sdae's
	// pretraining (and its encoding of the data for the next layer). A
	// resumed run adds those of its parts before the checkpoint it resumed
	// from, as recorded there, to its own (which include any it redid to
	// get back to where it stopped). Absent in runs written before it was
	// counted, and in a run resumed from a checkpoint written before then.
	MatmulFlops int64 `json:"matmul_flops,omitempty"`
	// MatmulGFLOPS is MatmulFlops / Seconds / 10⁹: the rate of matrix
	// products the whole run achieved, to compare with the machine's
	// SGEMM rate (zoo bench). Absent when MatmulFlops is. (An sdae's
	// encoding of the data for its next layer is in MatmulFlops but not in
	// Seconds: for sdae-mnist 2·60,000·784·800 flops, 0.7 % of its
	// products.)
	MatmulGFLOPS float64 `json:"matmul_gflops_per_s,omitempty"`
	// BLAS is the BLAS that computed the matrix products, as pipeline.Options.BLAS
	// gave it (`zoo train` records `zoo version`'s line); absent if not
	// given. Two BLAS round differently, so the same seed gives the same
	// figures only with the same BLAS. A resumed run records the BLAS of
	// its last part (and says in its log when that differs from the one
	// its checkpoint was written with).
	BLAS string `json:"blas,omitempty"`
	// Init says where the initial weights came from when the run started
	// from given ones (the recipe's init, zoo train --init), tensor by
	// tensor; absent when they were all drawn from the seed.
	Init *InitRecord `json:"init,omitempty"`
	// Data is where the data came from and the digests of its files;
	// absent in runs written before it was recorded.
	Data *DataRecord `json:"data,omitempty"`
}

// WriteSummary writes the run directory's summary.json.
func WriteSummary(dir string, s *Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SummaryFile), append(data, '\n'))
}

// ReadSummary reads a run directory's summary.json.
func ReadSummary(dir string) (*Summary, error) {
	f, err := safeopen.Open(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	defer f.Close()
	// A summary is a few kilobytes; the bound keeps a wrong file from
	// being read whole.
	data, err := io.ReadAll(io.LimitReader(f, MaxSummaryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	path := filepath.Join(dir, SummaryFile)
	if len(data) > MaxSummaryBytes {
		return nil, fmt.Errorf("runs: %s is larger than %d bytes (runs.MaxSummaryBytes): not a summary.json zoo writes", path, MaxSummaryBytes)
	}
	s := &Summary{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("runs: %s: %s: is the file damaged?", path, jsonerr.Describe(err))
	}
	return s, nil
}

// MaxSummaryBytes bounds the summary.json ReadSummary reads.
const MaxSummaryBytes = 1 << 20

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// LayerSummary is the pretraining of one layer of an sdae, in summary.json.
type LayerSummary struct {
	Layer      int    `json:"layer"`
	Corruption string `json:"corruption"`
	Epochs     int    `json:"epochs"`
	// TrainLoss is the last epoch's mean objective (on corrupted inputs);
	// ValReconstructionLoss the clean validation reconstruction loss.
	TrainLoss             float64 `json:"train_loss"`
	ValReconstructionLoss float64 `json:"val_reconstruction_loss"`
	Seconds               float64 `json:"seconds"`
}
