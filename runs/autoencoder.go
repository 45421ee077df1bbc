package runs

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// The figures of an autoencoder run.
const (
	// ReconstructionsFile is a grid of test digits, one column each: the
	// originals, then (for a denoising autoencoder) their corrupted copies,
	// then the reconstructions.
	ReconstructionsFile = "reconstructions.png"
	// FiltersFile shows the first encoder layer's weights, one tile per
	// unit: the input pattern that unit responds to most.
	FiltersFile = "filters.png"
)

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

// BuildAutoencoder returns the recipe's autoencoder (model.type:
// autoencoder) for data shaped like s, with initial weights drawn from r.
func BuildAutoencoder(rc *recipes.Recipe, s *datasets.Set, r *rand.Rand) (*models.Autoencoder, error) {
	init, err := models.ParseInit(rc.Model.Init)
	if err != nil {
		return nil, err
	}
	out, err := models.ParseActivation(rc.Model.Output)
	if err != nil {
		return nil, err
	}
	c := models.AutoencoderConfig{Inputs: s.Dim(), Output: out, Tied: rc.Model.Tied, Init: init}
	if c.Encoder, err = modelLayers(rc.Model.Encoder); err != nil {
		return nil, err
	}
	if len(rc.Model.Decoder) > 0 {
		if c.Decoder, err = modelLayers(rc.Model.Decoder); err != nil {
			return nil, err
		}
	}
	return models.NewAutoencoder(c, r)
}

func modelLayers(ls []recipes.Layer) ([]models.Layer, error) {
	out := make([]models.Layer, len(ls))
	for i, l := range ls {
		a, err := models.ParseActivation(l.Activation)
		if err != nil {
			return nil, err
		}
		out[i] = models.Layer{Units: l.Units, Activation: a}
	}
	return out, nil
}

// autoencoderConfig returns the training settings of an autoencoder recipe:
// loss, corruption (drawn from noise, the run's "corruption" stream),
// weight penalties and sparsity.
func autoencoderConfig(r *recipes.Recipe, ae *models.Autoencoder, noise rand.Source) train.AutoencoderConfig {
	c := train.AutoencoderConfig{
		BatchSize:  r.BatchSize,
		Loss:       train.ReconstructionLoss(r.Loss),
		Corruption: r.Model.Corruption.Model(),
		Random:     noise,
		// The weight penalties of regularizers (the only ones an
		// autoencoder recipe may set).
		Penalties: penalties(r.Regularizers),
	}
	switch s := r.Model.Sparsity; s.Type {
	case "l1":
		c.Penalties = append(c.Penalties, train.OnCode(ae, func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return regularizers.ActivationL1(s.Weight, h)
		}))
	case "kl":
		c.Penalties = append(c.Penalties, train.OnCode(ae, func(h *gorgonia.Node) (*gorgonia.Node, error) {
			return regularizers.KLSparsity(s.Weight, s.Target, h)
		}))
	}
	return c
}

// writeRecipe stores the recipe as run (without its quick profile) and
// returns its text.
func writeRecipe(dir string, r *recipes.Recipe) (string, error) {
	text, err := recipeText(r)
	if err != nil {
		return "", err
	}
	return text, atomicfile.Write(filepath.Join(dir, RecipeFile), []byte(text))
}

// startRun creates the run directory, takes its lock and stores the recipe
// there, or, when resuming (Resume holds the lock), only returns the
// recipe's text; unlock releases the lock. Callers load the data and build
// the model first, so a run that cannot start leaves no directory behind.
func startRun(r *recipes.Recipe, dir string, resume bool) (text string, unlock func(), err error) {
	if resume {
		text, err = recipeText(r)
		return text, func() {}, err
	}
	if unlock, err = prepareOut(dir); err != nil {
		return "", nil, err
	}
	if text, err = writeRecipe(dir, r); err != nil {
		unlock()
		return "", nil, err
	}
	return text, unlock, nil
}

// trainAutoencoder runs an autoencoder recipe: like Train, but the model
// learns to reconstruct its (possibly corrupted) input, the summary reports
// reconstruction losses, and the run directory gets ReconstructionsFile and
// FiltersFile. With resume it continues from the checkpoint in o.Out.
func trainAutoencoder(ctx context.Context, r *recipes.Recipe, o Options, resume bool) (*Summary, error) {
	data, err := LoadData(r, o.DataDir)
	if err != nil {
		return nil, err
	}
	ae, err := BuildAutoencoder(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	text, unlock, err := startRun(r, o.Out, resume)
	if err != nil {
		return nil, err
	}
	defer unlock()
	oc, err := r.OptimizerConfig()
	if err != nil {
		return nil, err
	}
	opt, err := optimizers.New(oc)
	if err != nil {
		return nil, err
	}
	streams := newStreams(r.Seed, "shuffle", "corruption")
	task, err := train.NewAutoencoder(ae, opt, autoencoderConfig(r, ae, streams["corruption"]))
	if err != nil {
		return nil, err
	}
	defer task.Close()
	stopper, err := r.EarlyStopping.Stopper()
	if err != nil {
		return nil, fmt.Errorf("recipe %s: early_stopping: %w", r.Name, err)
	}
	sess := &session{dir: o.Out, params: ae.Params(), opt: opt, streams: streams, stop: stopper, blas: o.BLAS, log: o.Log}
	sched, _, err := scheduleWithStream(r, task, data.Train, sess)
	if err != nil {
		return nil, err
	}
	var from *train.State
	verb := "writing to"
	if resume {
		if from, err = sess.load(); err != nil {
			return nil, err
		}
		verb = fmt.Sprintf("resuming at epoch %d, update %d, in", from.Epoch, from.Updates)
	}
	fmt.Fprintf(o.Log, "%s: autoencoder %s, %d parameters; %d training, %d validation, %d test examples; %s %s\n",
		r.Name, shape(ae), models.Count(ae.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), verb, o.Out)

	records, runErr := train.Run(ctx, task, data.Train, data.Validation, train.Config{
		Epochs:     r.Epochs,
		Shuffle:    streams.rand("shuffle"),
		Schedule:   sched,
		EarlyStop:  stopper,
		StopMetric: "loss",
		Resume:     from,
		Hooks: []train.Hook{train.NewProgress(o.Log, o.Interactive, r.BatchSize), train.CheckpointFunc(func(st *train.State) error {
			if err := sess.save(st); err != nil {
				return err
			}
			return writeStagedMetrics(o.Out, nil, st.Records)
		})},
	})
	trained := time.Now()
	if err := writeStagedMetrics(o.Out, nil, records); err != nil {
		return nil, errors.Join(runErr, err)
	}
	if runErr != nil {
		return nil, stopped(runErr, len(records), o.Out)
	}
	test, err := task.Evaluate(data.Test)
	if err != nil {
		return nil, err
	}
	if err := writeFigures(o.Out, task, data.Test, rng.New(r.Seed, "figures")); err != nil {
		return nil, err
	}
	last := records[len(records)-1]
	s := &Summary{
		Recipe: r.Name, Seed: r.Seed, Epochs: len(records), Updates: last.Updates,
		Parameters: models.Count(ae.Params()),
		Train:      data.Train.Len(), Validation: data.Validation.Len(), Test: data.Test.Len(),
		InputShape: slices.Clone(data.Train.Shape),
		TrainLoss:  last.TrainLoss, ValLoss: last.Val.Loss, TestLoss: test.Loss,
		ValReconstructionLoss: last.Val.Loss, TestReconstructionLoss: test.Loss,
	}
	noteStop(s, stopper, records, r, o.Log)
	s.Seconds = trainingSeconds(records, nil) + time.Since(trained).Seconds()
	s.BLAS = o.BLAS
	return s, finish(o.Out, s, ae.Params(), text)
}

// shape describes an autoencoder's widths, e.g. 784→128→32→128→784 (tied).
func shape(ae *models.Autoencoder) string {
	s := strconv.Itoa(ae.Inputs())
	for _, l := range ae.Encoder {
		s += "→" + strconv.Itoa(l.Out())
	}
	for _, l := range ae.Decoder {
		switch d := l.(type) {
		case *models.Dense:
			s += "→" + strconv.Itoa(d.Out())
		case *models.TiedDense:
			s += "→" + strconv.Itoa(d.Out())
		}
	}
	if ae.Config.Tied {
		s += " (tied)"
	}
	return s
}

// stageOutput is the rule for the reconstruction of pretraining stage k:
// inputs in [0, 1] (pixels, codes of a sigmoid layer) get a sigmoid output
// and the binary cross-entropy, others a linear output and squared error.
func stageOutput(r *recipes.Recipe, k int) (models.Activation, train.ReconstructionLoss) {
	if k == 0 || r.Model.Encoder[k-1].Activation == "sigmoid" {
		return models.Sigmoid, train.BCE
	}
	return models.Linear, train.MSE
}

// trainStacked runs an sdae recipe: greedy layer-wise pretraining of the
// encoders (each a denoising autoencoder on the codes of the ones below),
// then fine-tuning of encoders plus a softmax layer as one MLP, exactly as
// Train fine-tunes an mlp recipe with the same layers (same initial draw,
// same shuffling), so an mlp recipe with model.layers = model.encoder is
// the same training without pretraining. Every epoch of every phase is
// checkpointed; with resume it continues from the checkpoint in o.Out.
func trainStacked(ctx context.Context, r *recipes.Recipe, o Options, resume bool) (*Summary, error) {
	data, err := LoadData(r, o.DataDir)
	if err != nil {
		return nil, err
	}
	m, err := BuildModel(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	stack := &models.Stacked{MLP: m}
	plan, err := r.PretrainPlan()
	if err != nil {
		return nil, err
	}
	text, unlock, err := startRun(r, o.Out, resume)
	if err != nil {
		return nil, err
	}
	defer unlock()
	run := &classifierRun{r: r, o: o, data: data, m: m, sdae: true, recipeAs: text}
	pc := train.PretrainConfig{BatchSize: r.PretrainBatchSize()}
	if resume {
		c, err := readCheckpoint(o.Out)
		if err != nil {
			return nil, err
		}
		meta := c.meta
		switch meta.Phase {
		case phaseFinetune:
			// Pretraining is done; the checkpoint holds the whole network.
			run.resume = true
			return trainClassifier(ctx, run)
		case phasePretrain:
			if meta.Layer < 0 || meta.Layer >= len(plan) {
				return nil, fmt.Errorf("runs: resume %s: the checkpoint is of pretraining layer %d, the recipe has layers 0…%d", o.Out, meta.Layer, len(plan)-1)
			}
			pc.Start = meta.Layer
			// The trained layers below encode the stage's data.
			if err := c.setParams(m.Params()); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("runs: resume %s: the checkpoint is not of an sdae run (phase %q)", o.Out, meta.Phase)
		}
	} else {
		fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %d test examples; writing to %s\n",
			r.Name, models.Count(m.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), o.Out)
	}

	var layers []LayerSummary
	sessions := make([]*session, len(plan))
	for k, p := range plan {
		opt, err := optimizers.New(p.Optimizer)
		if err != nil {
			return nil, err
		}
		out, loss := stageOutput(r, k)
		stream := fmt.Sprintf("pretrain.%d.", k)
		streams := newStreams(r.Seed, stream+"shuffle", stream+"corruption")
		sessions[k] = &session{dir: o.Out, opt: opt, streams: streams, phase: phasePretrain, layer: k, blas: o.BLAS, log: o.Log}
		enc := stack.Encoders()[k]
		header := fmt.Sprintf("pretraining layer %d (%d→%d, %s, %s corruption, %s reconstruction): %d epochs",
			k, enc.In(), enc.Out(), enc.Act, p.Corruption, loss, p.Epochs)
		pc.Stages = append(pc.Stages, train.Stage{
			Epochs: p.Epochs, Optimizer: opt, Corruption: p.Corruption, Output: out, Loss: loss, Tied: r.Model.Tied,
			Init: rng.New(r.Seed, stream+"init"), Shuffle: streams.rand(stream + "shuffle"), Noise: streams[stream+"corruption"],
			Hooks: []train.Hook{headed(o.Log, header), train.NewProgress(o.Log, o.Interactive, pc.BatchSize)},
		})
		layers = append(layers, LayerSummary{Layer: k, Corruption: p.Corruption.String()})
	}
	var pre []train.LayerRecord // the records of the stages before pc.Start
	// A stage's checkpoint holds the whole network (the layers below are
	// trained, the layer itself in training) and the stage's decoder.
	stageSession := func(k int, stage *train.Autoencoder) *session {
		s := sessions[k]
		s.params, s.optParams = append([]*models.Param(nil), m.Params()...), stage.Params()
		for _, p := range stage.Params() {
			if !slices.Contains(s.params, p) {
				s.params = append(s.params, p)
			}
		}
		s.layers = layers
		return s
	}
	if resume {
		pc.Restore = func(k int, stage *train.Autoencoder) (*train.State, error) {
			s := stageSession(k, stage)
			st, err := s.load()
			if err != nil {
				return nil, err
			}
			pre = s.pretrain
			fmt.Fprintf(o.Log, "%s: resuming the pretraining of layer %d at epoch %d, update %d, in %s\n", r.Name, k, st.Epoch, st.Updates, o.Out)
			return st, nil
		}
	}
	checkpoint := train.StageCheckpointFunc(func(k int, stage *train.Autoencoder, st *train.State, done []train.LayerRecord) error {
		s := stageSession(k, stage)
		s.pretrain = append(slices.Clone(pre), done...)
		if err := s.save(st); err != nil {
			return err
		}
		recs := slices.Clone(s.pretrain)
		for _, rec := range st.Records {
			recs = append(recs, train.LayerRecord{Layer: k, Record: rec})
		}
		return writeStagedMetrics(o.Out, recs, nil)
	})
	figures := train.StageEndFunc(func(k int, stage *train.Autoencoder, _, _ *datasets.Set) error {
		if k > 0 {
			return nil
		}
		// The first layer sees pixels: show its reconstructions and filters.
		return writeFigures(o.Out, stage, data.Test, rng.New(r.Seed, "figures"))
	})
	pc.Hooks = []train.Hook{checkpoint, figures}
	recs, runErr := train.Pretrain(ctx, stack, data.Train, data.Validation, pc)
	pre = append(pre, recs...)
	if runErr != nil {
		if err := writeStagedMetrics(o.Out, pre, nil); err != nil {
			return nil, errors.Join(runErr, err)
		}
		return nil, stopped(runErr, len(pre), o.Out)
	}
	for _, p := range pre {
		l := &layers[p.Layer]
		l.Epochs, l.TrainLoss, l.ValReconstructionLoss = p.Epoch, p.TrainLoss, p.Val.Loss
		l.Seconds += p.Seconds
	}
	run.pre, run.layers = pre, layers
	return trainClassifier(ctx, run)
}

// headed is a hook that prints a header line before the first epoch.
func headed(w io.Writer, header string) train.Hook {
	return train.EpochStartFunc(func(epoch, _, _ int) {
		if epoch == 1 {
			fmt.Fprintln(w, header)
		}
	})
}

// figureDigits is the number of test digits ReconstructionsFile shows.
const figureDigits = 10

// writeFigures draws ReconstructionsFile for the first figureDigits examples
// of test (corrupted with r when the task denoises) and FiltersFile for the
// first encoder layer, when the examples are square images.
func writeFigures(dir string, task *train.Autoencoder, test *datasets.Set, r *rand.Rand) error {
	if len(test.Shape) != 2 || test.Len() == 0 {
		return nil
	}
	w, h := test.Shape[1], test.Shape[0]
	show := test.Slice(0, min(figureDigits, test.Len()))
	rows := [][][]float32{split(show)}
	in := show
	if task.Corruption().Active() {
		in = task.Corrupt(show, r)
		rows = append(rows, split(in))
	}
	rec, err := task.Reconstruct(in)
	if err != nil {
		return err
	}
	rows = append(rows, split(rec))
	img, err := images.Grid(rows, w, h, 2)
	if err != nil {
		return err
	}
	if err := images.WritePNG(filepath.Join(dir, ReconstructionsFile), img); err != nil {
		return err
	}
	first := task.Model().Encoder[0]
	img, err = images.Filters(first.W.Float64s(), first.In(), first.Out(), w, h, 100, 10, 2)
	if err != nil {
		return err
	}
	return images.WritePNG(filepath.Join(dir, FiltersFile), img)
}

// split returns the examples of s as separate slices.
func split(s *datasets.Set) [][]float32 {
	out := make([][]float32, s.Len())
	for i := range out {
		out[i] = s.Row(i)
	}
	return out
}

// writeStagedMetrics writes metrics.csv for the autoencoder family, with
// the columns
//
//	phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds
//
// phase is pretrain (one row per epoch of each layer's greedy pretraining,
// layer counted from 0 at the input, val_loss the clean validation
// reconstruction loss), finetune (an sdae's supervised epochs) or train (an
// autoencoder's epochs, val_loss its reconstruction loss). layer is empty
// outside pretraining and val_error empty where there is no classifier.
// Epochs count from 1 within each phase and layer.
func writeStagedMetrics(dir string, pre []train.LayerRecord, records []train.Record) error {
	phase := "train"
	if pre != nil {
		phase = "finetune"
	}
	return atomicfile.WriteFunc(filepath.Join(dir, MetricsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"phase", "layer", "epoch", "train_loss", "val_loss", "val_error", "lr", "seconds"})
		row := func(phase, layer string, r train.Record) {
			valErr := ""
			if r.Val.HasError {
				valErr = num(r.Val.Error)
			}
			cw.Write([]string{phase, layer, strconv.Itoa(r.Epoch), num(r.TrainLoss), num(r.Val.Loss), valErr, num(r.LR),
				strconv.FormatFloat(r.Seconds, 'f', 3, 64)})
		}
		for _, p := range pre {
			row("pretrain", strconv.Itoa(p.Layer), p.Record)
		}
		for _, r := range records {
			row(phase, "", r)
		}
		cw.Flush()
		return cw.Error()
	})
}

// evaluateAutoencoder is Evaluate for an autoencoder run: the test
// reconstruction loss (Test.Loss; Test.HasError is false).
func evaluateAutoencoder(dir string, r *recipes.Recipe, data *datasets.Splits) (*Evaluation, error) {
	ae, err := BuildAutoencoder(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	if _, err := LoadWeights(filepath.Join(dir, WeightsFile), ae.Params()); err != nil {
		return nil, err
	}
	// Inference never steps the optimizer, nor corrupts.
	opt, err := optimizers.New(optimizers.Config{Name: "sgd"})
	if err != nil {
		return nil, err
	}
	task, err := train.NewAutoencoder(ae, opt, train.AutoencoderConfig{BatchSize: 1, Loss: train.ReconstructionLoss(r.Loss)})
	if err != nil {
		return nil, err
	}
	defer task.Close()
	test, err := task.Evaluate(data.Test)
	if err != nil {
		return nil, err
	}
	return &Evaluation{Recipe: r.Name, Dir: dir, Test: test}, nil
}

// noteStop records in s where early stopping (if any) found the best model,
// which train.Run has put back in place, and why training ended.
func noteStop(s *Summary, stopper earlystop.Stopper, records []train.Record, r *recipes.Recipe, log io.Writer) {
	if stopper == nil {
		return
	}
	t, score := stopper.Best()
	s.BestUpdate, s.BestScore, s.StopReason = t, score, stopper.Reason()
	s.BestEpoch = epochOf(records, t)
	if s.StopReason == "" {
		s.StopReason = fmt.Sprintf("epoch budget (%d) reached", r.Epochs)
	}
	fmt.Fprintf(log, "early stopping: %s; kept the model of update %d (epoch %d)\n", s.StopReason, t, s.BestEpoch)
}
