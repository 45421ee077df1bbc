package experiments

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
)

// pcaSetup is the pca-vs-linear-ae experiment's data and budget.
type pcaSetup struct {
	train, val, test int
	k                int // code size = number of principal components
	batch            int
	epochs           int
	rates            []float64 // Adam's initial rate (cosine-annealed to 0), tuned
	maxAngle         float64   // degrees: the subspaces count as the same below it
}

func pcaVsLinearAESetup(quick bool) pcaSetup {
	s := pcaSetup{train: 10000, val: 2000, test: 5000, k: 16, batch: 100, epochs: 30, rates: []float64{1e-3, 3e-3, 1e-2}, maxAngle: 15}
	if quick {
		s.train, s.val, s.test, s.k, s.epochs = 2000, 500, 1000, 8, 10
		s.rates = []float64{3e-3, 1e-2}
	}
	return s
}

// linRun is one run of the linear autoencoder.
type linRun struct {
	seed      uint64
	lr        float64
	c         *curve
	task      *train.Autoencoder
	ae        *models.Autoencoder
	angleAt   []float64 // the largest principal angle after each epoch
	val       float64   // validation MSE after training
	test      float64   // test MSE, measured once
	angles    []float64 // decoder span vs PCA
	encAngles []float64 // encoder span vs PCA
}

func (r *linRun) close() {
	if r.task != nil {
		r.task.Close()
		r.task = nil
	}
}

// PCAVsLinearAE is the experiment pca-vs-linear-ae (docs/lecture.md §6): an
// undercomplete autoencoder with a linear code and a linear output,
// trained with the mean squared error (784→k→784, Adam at the rate that
// gave the lowest validation error), against PCA of the same training
// digits (gonum: the eigenvectors of the covariance). The lecture's claim
// is that the autoencoder learns the same subspace as PCA; the principal
// angles between the span of the decoder's k vectors and that of the top
// k principal components measure it, and both reconstruct the test
// digits. The autoencoder is trained with several seeds; PCA has no
// random choice.
//
// It writes angles.csv, spectrum.csv, curve.csv, tuning.csv,
// components.png, reconstructions.png, pca_vs_ae.png, results.json and
// report.md.
func PCAVsLinearAE(ctx context.Context, o Options) error {
	l, err := newLab("pca-vs-linear-ae", o)
	if err != nil {
		return err
	}
	s := pcaVsLinearAESetup(o.Quick)
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return err
	}
	trainSet, val, test := data.Train, data.Validation, data.Test

	// PCA.
	pca, err := fitPCA(trainSet, s.k)
	if err != nil {
		return l.errorf("pca: %w", err)
	}
	pcaVal, pcaTest := pca.mse(val), pca.mse(test)
	l.logf("PCA: top %d components explain %.1f %% of the variance; test MSE %.5f", s.k, 100*pca.explained(), pcaTest)

	// The linear autoencoder.
	seeds := l.seeds()
	tn, err := tune(ctx, l, "linear autoencoder", "validation MSE after training", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(o.Quick)},
		func(lr float64) (*linRun, float64, error) {
			run, err := trainLinearAE(ctx, l.at(seeds[0]), s, pca, lr, trainSet, val)
			if err != nil {
				return nil, 0, err
			}
			return run, run.val, nil
		}, (*linRun).close)
	if err != nil {
		return err
	}
	r := l.report("A linear autoencoder learns PCA's subspace")
	pm := r.res.method("PCA", map[string]any{"components": float64(s.k)}, nil)
	am := r.res.method("linear autoencoder", map[string]any{"code_units": float64(s.k), "lr": tn.Chosen, "schedule": "cosine"}, tn.tuning)
	var runs []*linRun
	for i, seed := range seeds {
		run := tn.Run
		if i > 0 {
			if run, err = trainLinearAE(ctx, l.at(seed), s, pca, tn.Chosen, trainSet, val); err != nil {
				return err
			}
		}
		if err := run.measure(pca, test); err != nil {
			run.close()
			return l.errorf("%w", err)
		}
		if i > 0 {
			run.close() // the first seed's model is drawn below
		}
		runs = append(runs, run)
		pm.add(seed, map[string]float64{"test_mse": pcaTest, "val_mse": pcaVal, "explained_variance": pca.explained()})
		am.add(seed, map[string]float64{"test_mse": run.test, "val_mse": run.val, "largest_angle_degrees": run.angles[len(run.angles)-1],
			"mean_angle_degrees": meanOf(run.angles), "largest_encoder_angle_degrees": run.encAngles[len(run.encAngles)-1]})
		l.logf("seed %d: linear AE (lr %g): test MSE %.5f; principal angles to PCA's subspace %.2f° … %.2f°", seed, run.lr, run.test, run.angles[0], run.angles[len(run.angles)-1])
	}
	defer runs[0].close()
	res := &pcaResult{s: s, pca: pca, pcaTest: pcaTest, pcaVal: pcaVal, runs: runs, tuning: tn.tuning, pm: pm, am: am}
	if err := writePCAData(l, res); err != nil {
		return err
	}
	if err := writePCAFigures(l, res, runs[0].ae, runs[0].task, test); err != nil {
		return err
	}
	pcaReport(r, res, seeds, trainSet.Len(), val.Len(), test.Len())
	return l.finish(r)
}

// trainLinearAE trains the linear autoencoder from the lab's weights with
// Adam at lr annealed by a cosine, recording the largest principal angle
// to PCA's subspace after every epoch, and measures it on validation.
func trainLinearAE(ctx context.Context, l *lab, s pcaSetup, pca *pcaModel, lr float64, trainSet, val *datasets.Set) (*linRun, error) {
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{
		Inputs:  trainSet.Dim(),
		Encoder: []models.Layer{{Units: s.k, Activation: models.Linear}},
		Output:  models.Linear,
	}, l.rand("init"))
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": lr})
	if err != nil {
		return nil, err
	}
	task, err := train.NewAutoencoder(ae, opt, train.AutoencoderConfig{BatchSize: s.batch, Loss: losses.ReconstructionMSE})
	if err != nil {
		return nil, l.errorf("%w", err)
	}
	run := &linRun{seed: l.o.Seed, lr: lr, task: task, ae: ae}
	total := s.epochs * (trainSet.Len() / s.batch)
	sched, err := schedules.New(schedules.Config{Name: "cosine", LR: lr, Total: total})
	if err != nil {
		run.close()
		return nil, l.errorf("%w", err)
	}
	largestAngle := train.EpochEndFunc(func(train.Record) error {
		a, err := principalAngles(pca.basis, decoderBasis(ae))
		if err == nil {
			run.angleAt = append(run.angleAt, a[len(a)-1])
		}
		return err
	})
	run.c, err = fit(ctx, "linear autoencoder", task, trainSet, val, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle"), Schedule: sched, Hooks: []train.Hook{largestAngle}},
	})
	if err == nil && run.c.Diverged {
		err = fmt.Errorf("the autoencoder diverged at update %d", run.c.DivergedAt)
	}
	if err != nil {
		run.close()
		return nil, l.errorf("lr %g: %w", lr, err)
	}
	run.val = run.c.Epochs[len(run.c.Epochs)-1].Val.Loss
	return run, nil
}

// measure measures the run on the test digits, once, and the principal
// angles of its decoder's and encoder's spans to PCA's subspace.
func (r *linRun) measure(pca *pcaModel, test *datasets.Set) error {
	m, err := r.task.Evaluate(test)
	if err != nil {
		return err
	}
	r.test = m.Loss
	if r.angles, err = principalAngles(pca.basis, decoderBasis(r.ae)); err != nil {
		return err
	}
	r.encAngles, err = principalAngles(pca.basis, orthonormal(matOf(r.ae.Encoder[0].W)))
	return err
}

// pcaModel is PCA of a data set: its mean and its top principal
// components.
type pcaModel struct {
	mean   []float64
	basis  *mat.Dense // d×k, the top k eigenvectors of the covariance, as columns
	values []float64  // every eigenvalue, largest first
}

// fitPCA computes the covariance of s's examples and its eigenvectors.
func fitPCA(s *datasets.Set, k int) (*pcaModel, error) {
	n, d := s.Len(), s.Dim()
	x := mat.NewDense(n, d, nil)
	mean := make([]float64, d)
	for i := range n {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		row := x.RawRowView(i)
		for j, v := range s.Row(i) {
			row[j] = float64(v) - mean[j]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, fmt.Errorf("the eigendecomposition of the covariance failed")
	}
	asc := eig.Values(nil)
	var vec mat.Dense
	eig.VectorsTo(&vec)
	p := &pcaModel{mean: mean, basis: mat.NewDense(d, k, nil)}
	for i := len(asc) - 1; i >= 0; i-- {
		p.values = append(p.values, math.Max(asc[i], 0))
	}
	for c := range k {
		for r := range d {
			p.basis.Set(r, c, vec.At(r, d-1-c))
		}
	}
	return p, nil
}

// explained is the fraction of the variance the top k components hold.
func (p *pcaModel) explained() float64 {
	_, k := p.basis.Dims()
	top, all := 0.0, 0.0
	for i, v := range p.values {
		if i < k {
			top += v
		}
		all += v
	}
	return top / all
}

// project returns the PCA reconstruction of x: mean + V Vᵀ (x − mean).
func (p *pcaModel) project(x []float32) []float64 {
	d, k := p.basis.Dims()
	code := make([]float64, k)
	for j := range k {
		for i := range d {
			code[j] += p.basis.At(i, j) * (float64(x[i]) - p.mean[i])
		}
	}
	out := make([]float64, d)
	for i := range d {
		out[i] = p.mean[i]
		for j := range k {
			out[i] += p.basis.At(i, j) * code[j]
		}
	}
	return out
}

// mse is the mean over s's examples of (1/d) Σ (x − x̂)², the same
// reconstruction loss the autoencoder reports.
func (p *pcaModel) mse(s *datasets.Set) float64 {
	sum := 0.0
	for i := range s.Len() {
		x := s.Row(i)
		for j, v := range p.project(x) {
			e := float64(x[j]) - v
			sum += e * e
		}
	}
	return sum / float64(s.Len()*s.Dim())
}

// matOf returns a parameter as a gonum matrix (a copy).
func matOf(p *models.Param) *mat.Dense {
	sh := p.Value.Shape()
	return mat.NewDense(sh[0], sh[1], p.Float64s())
}

// decoderBasis is an orthonormal basis (d×k) of the span of the linear
// decoder's k vectors: the rows of its [k, d] weight.
func decoderBasis(ae *models.Autoencoder) *mat.Dense {
	w := ae.Decoder[len(ae.Decoder)-1].(*models.Dense).W
	return orthonormal(matOf(w).T())
}

// orthonormal returns an orthonormal basis of the column space of a (d×k,
// rank k): the left singular vectors of its thin SVD.
func orthonormal(a mat.Matrix) *mat.Dense {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDThin)
	var u mat.Dense
	svd.UTo(&u)
	return &u
}

// principalAngles returns the principal angles, in degrees, smallest
// first, between the column spaces of the orthonormal bases a and b:
// θ_i = arccos σ_i(aᵀb).
func principalAngles(a, b *mat.Dense) ([]float64, error) {
	var m mat.Dense
	m.Mul(a.T(), b)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return nil, fmt.Errorf("experiments: principal angles: SVD failed")
	}
	var out []float64
	for _, s := range svd.Values(nil) {
		out = append(out, math.Acos(math.Min(1, s))*180/math.Pi)
	}
	return out, nil
}

// pcaResult is what the experiment measured.
type pcaResult struct {
	s       pcaSetup
	pca     *pcaModel
	pcaTest float64
	pcaVal  float64
	runs    []*linRun // one per seed
	tuning  *tuning
	pm, am  *methodStats // PCA's and the autoencoder's measures
}

func writePCAData(l *lab, r *pcaResult) error {
	var rows [][]string
	for _, run := range r.runs {
		for i := range run.angles {
			rows = append(rows, []string{strconv.FormatUint(run.seed, 10), strconv.Itoa(i + 1), num(run.angles[i]), num(run.encAngles[i])})
		}
	}
	if err := l.writeCSV("angles.csv", []string{"seed", "index", "decoder_angle_degrees", "encoder_angle_degrees"}, rows); err != nil {
		return err
	}
	rows = nil
	for i, v := range r.pca.values {
		rows = append(rows, []string{strconv.Itoa(i + 1), num(v)})
	}
	if err := l.writeCSV("spectrum.csv", []string{"component", "eigenvalue"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, run := range r.runs {
		for i, e := range run.c.Epochs {
			rows = append(rows, []string{strconv.FormatUint(run.seed, 10), strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Loss), num(run.angleAt[i])})
		}
	}
	if err := l.writeCSV("curve.csv", []string{"seed", "epoch", "updates", "train_mse", "val_mse", "largest_angle_degrees"}, rows); err != nil {
		return err
	}
	rows = nil
	for _, t := range r.tuning.Tried {
		rows = append(rows, []string{num(t.Value), num(*t.Score), strconv.FormatBool(t.Value == r.tuning.Chosen)})
	}
	return l.writeCSV("tuning.csv", []string{"lr", "val_mse", "chosen"}, rows)
}

func writePCAFigures(l *lab, r *pcaResult, ae *models.Autoencoder, task *train.Autoencoder, test *datasets.Set) error {
	// Components: PCA's, the decoder's raw vectors, and the matched
	// principal vectors of both subspaces.
	d, k := r.pca.basis.Dims()
	dec := decoderBasis(ae)
	var m mat.Dense
	m.Mul(r.pca.basis.T(), dec)
	var svd mat.SVD
	svd.Factorize(&m, mat.SVDThin)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	var pu, pv mat.Dense
	pu.Mul(r.pca.basis, &u)
	pv.Mul(dec, &v)
	w := ae.Decoder[len(ae.Decoder)-1].(*models.Dense).W.Float64s() // [k, d]
	rows := [][][]float32{columns(r.pca.basis), nil, columns(&pu), columns(&pv)}
	for j := range k {
		rows[1] = append(rows[1], scaleTile(w[j*d:(j+1)*d]))
	}
	img, err := images.LabelledGrid(rows, []string{"PCA", "decoder", "PCA, matched", "decoder, matched"}, 28, 28, 3)
	if err != nil {
		return l.errorf("%w", err)
	}
	if err := images.WritePNG(l.file("components.png"), img); err != nil {
		return err
	}

	// Reconstructions of the first test digits by both.
	recon, err := task.Reconstruct(test.Slice(0, 12))
	if err != nil {
		return l.errorf("%w", err)
	}
	var orig, byPCA, byAE [][]float32
	for i := range 12 {
		orig = append(orig, test.Row(i))
		p := r.pca.project(test.Row(i))
		t := make([]float32, len(p))
		for j, x := range p {
			t[j] = float32(x)
		}
		byPCA = append(byPCA, t)
		byAE = append(byAE, recon.Row(i))
	}
	img, err = images.LabelledGrid([][][]float32{orig, byPCA, byAE}, []string{"original", "PCA", "linear AE"}, 28, 28, 3)
	if err != nil {
		return l.errorf("%w", err)
	}
	if err := images.WritePNG(l.file("reconstructions.png"), img); err != nil {
		return err
	}

	// Angles (mean ± sd over the seeds) and the first seed's training curve.
	first := r.runs[0]
	idx := make([]float64, len(first.angles))
	decM, decE, encM, encE := make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx))
	for i := range idx {
		idx[i] = float64(i + 1)
		var dv, ev []float64
		for _, run := range r.runs {
			dv, ev = append(dv, run.angles[i]), append(ev, run.encAngles[i])
		}
		ds, es := statOf(dv), statOf(ev)
		decM[i], decE[i], encM[i], encE[i] = ds.Mean, ds.SD, es.Mean, es.SD
	}
	angles := &chart{Title: "Principal angles between the autoencoder's and PCA's subspaces (mean ± sd)", XLabel: "index (smallest angle first)", YLabel: "degrees", LegendLeft: true,
		Series: []series{{Name: "decoder span", X: idx, Y: decM, Err: decE, Points: true}, {Name: "encoder span", X: idx, Y: encM, Err: encE, Points: true, Dashed: true}}}
	var x, mse, big []float64
	for i, e := range first.c.Epochs {
		x = append(x, float64(e.Updates))
		mse = append(mse, e.Val.Loss)
		big = append(big, first.angleAt[i])
	}
	curve := &chart{Title: "Validation reconstruction error during training (first seed)", XLabel: "update", YLabel: "MSE (log scale)", LogY: true,
		Series: []series{{Name: "linear autoencoder", X: x, Y: mse, Points: true}},
		Rules:  []rule{{Name: "PCA", At: r.pcaVal, Color: paletteColor(3)}}}
	largest := &chart{Title: "Largest principal angle during training (first seed)", XLabel: "update", YLabel: "degrees", NoLegend: true,
		Series: []series{{X: x, Y: big, Points: true}}}
	return writeCharts(l.file("pca_vs_ae.png"), 3, 5*vg.Inch, 4*vg.Inch, angles, curve, largest)
}

// columns returns the columns of a d×k matrix as image tiles, each scaled
// to its own range.
func columns(a mat.Matrix) [][]float32 {
	d, k := a.Dims()
	var out [][]float32
	for j := range k {
		col := make([]float64, d)
		for i := range d {
			col[i] = a.At(i, j)
		}
		out = append(out, scaleTile(col))
	}
	return out
}

// scaleTile maps v to [0, 1], its smallest value black and its largest
// white.
func scaleTile(v []float64) []float32 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	out := make([]float32, len(v))
	if hi > lo {
		for i, x := range v {
			out[i] = float32((x - lo) / (hi - lo))
		}
	}
	return out
}

func pcaReport(rep *report, r *pcaResult, seeds []uint64, nTrain, nVal, nTest int) {
	s := r.s
	rep.p("PCA of the first %d MNIST training digits (the eigenvectors of their covariance, with gonum) against an autoencoder 784→%d→784 with a linear code and a linear output, "+
		"trained on the same digits with the mean squared error (Adam, its rate annealed to 0 by a cosine over %d epochs, batch %d). "+
		"Both reconstruct %d test digits; the error is the mean over digits of (1/784) Σ (x − x̂)². "+
		"The autoencoder's units need not be the principal components themselves: any basis of the same subspace reconstructs as well, so the comparison is between subspaces, "+
		"by their principal angles (θ_i = arccos σ_i(Q_PCAᵀ Q_AE), Q orthonormal bases). Data: `angles.csv`, `spectrum.csv`, `curve.csv`, `tuning.csv`, `results.json`.",
		nTrain, s.k, s.epochs, s.batch, nTest)
	rep.seedsNote(seeds, "the autoencoder's initial weights and batch order (PCA has no random choice: its numbers are the same with every seed)",
		fmt.Sprintf("The autoencoder's initial rate is chosen from %s by the MSE on %d validation digits after training with the first seed (%s); the test set is measured once, with every seed, at that rate. "+
			"The components, reconstructions and training curves are the first seed's.", tuneGrid{Param: "lr", Values: s.rates, Extend: gridExtend(rep.res.Quick)}, nVal,
			r.tuning.triedText(func(v float64) string { return fmt.Sprintf("%.5f", v) })))
	largest, mean, smallest := r.am.stat("largest_angle_degrees"), r.am.stat("mean_angle_degrees"), statOf(anglesAt(r.runs, 0))
	aeTest := r.am.stat("test_mse")
	rep.table([]string{"", "PCA (top " + strconv.Itoa(s.k) + ")", "linear autoencoder"}, [][]string{
		{"test reconstruction MSE", fmt.Sprintf("%.5f", r.pcaTest), aeTest.pm("%.5f")},
		{"variance explained (training digits)", fmt.Sprintf("%.1f %%", 100*r.pca.explained()), ""},
		{"principal angles to PCA's subspace: smallest, mean, largest", "", fmt.Sprintf("%s°, %s°, %s°", smallest.pm("%.2f"), mean.pm("%.2f"), largest.pm("%.2f"))},
		{"… largest, of the encoder's span", "", r.am.stat("largest_encoder_angle_degrees").pm("%.2f") + "°"},
	})
	rep.figure("pca_vs_ae.png", "principal angles with error bars, validation error during training and the largest angle during training")
	rep.p("Components, one tile per vector, each scaled to its own range (black lowest, white highest). Row 1: PCA's %d components, largest variance first. "+
		"Row 2: the autoencoder's %d decoder vectors as learned. Rows 3 and 4: the principal vectors of the two subspaces, paired (row 3 from PCA's subspace, row 4 from the autoencoder's): "+
		"when the subspaces agree, each pair looks alike.", s.k, s.k)
	rep.figure("components.png", "PCA components, decoder vectors, and the matched principal vectors of both subspaces")
	rep.p("Reconstructions of the first test digits: originals, PCA's, the autoencoder's.")
	rep.figure("reconstructions.png", "test digits, PCA reconstructions and linear autoencoder reconstructions")

	rep.h2("What the lecture claims, and whether it held")
	first := r.runs[0]
	rep.verdict("An undercomplete autoencoder with a linear decoder and the MSE learns the same subspace as PCA", lower(largest, exactly(s.maxAngle)),
		fmt.Sprintf("the interval of the largest principal angle between the decoder's span and PCA's subspace lies below %g°", s.maxAngle),
		"The largest principal angle between the span of the decoder's vectors and PCA's top-%d subspace is %s° (95 %% interval %s°; mean angle %s°); for the encoder's span, %s°. "+
			"With the first seed the largest angle went from %.1f° after the first epoch to %.2f°. "+
			"The decoder is what spans the reconstructions; the loss constrains the encoder only along directions in which the digits vary "+
			"(the weights from always-black border pixels never receive a gradient and keep their random initial values), so its span need not be PCA's.",
		s.k, largest.pm("%.2f"), largest.ci("%.2f"), mean.pm("%.2f"), r.am.stat("largest_encoder_angle_degrees").pm("%.2f"), first.angleAt[0], first.angleAt[len(first.angleAt)-1])
	rep.verdict("…so it reconstructs as well as PCA, the best linear projection onto "+strconv.Itoa(s.k)+" dimensions", lower(aeTest, exactly(1.02*r.pcaTest)),
		"the interval of the autoencoder's test MSE lies below 1.02 × PCA's (which has no random choice)",
		"Test MSE: PCA %.5f, the autoencoder %s (%.2f %% %s on average; 95 %% interval %s).",
		r.pcaTest, aeTest.pm("%.5f"), 100*math.Abs(aeTest.Mean/r.pcaTest-1), yesNo(aeTest.Mean > r.pcaTest, "higher", "lower"), aeTest.ci("%.5f"))
}

// anglesAt returns every run's i-th principal angle.
func anglesAt(runs []*linRun, i int) []float64 {
	var out []float64
	for _, r := range runs {
		out = append(out, r.angles[i])
	}
	return out
}
