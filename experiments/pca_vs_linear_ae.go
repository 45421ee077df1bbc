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
	train, test int
	k           int // code size = number of principal components
	batch       int
	epochs      int
	lr          float64 // Adam, cosine-annealed to 0
	maxAngle    float64 // degrees: the subspaces count as the same below it
}

func pcaVsLinearAESetup(quick bool) pcaSetup {
	s := pcaSetup{train: 10000, test: 5000, k: 16, batch: 100, epochs: 30, lr: 0.003, maxAngle: 15}
	if quick {
		s.train, s.test, s.k, s.epochs = 2000, 1000, 8, 10
	}
	return s
}

// PCAVsLinearAE is the experiment pca-vs-linear-ae (docs/lecture.md §6): an
// undercomplete autoencoder with a linear code and a linear output,
// trained with the mean squared error (784→k→784, Adam), against PCA of the
// same training digits (gonum: the eigenvectors of the covariance). The
// lecture's claim is that the autoencoder learns the same subspace as
// PCA; the principal angles between the span of the decoder's k vectors
// and that of the top k principal components measure it, and both
// reconstruct the test digits.
//
// It writes angles.csv, spectrum.csv, curve.csv, components.png,
// reconstructions.png, pca_vs_ae.png and report.md.
func PCAVsLinearAE(ctx context.Context, o Options) error {
	l, err := newLab("pca-vs-linear-ae", o)
	if err != nil {
		return err
	}
	s := pcaVsLinearAESetup(o.Quick)
	data, err := l.mnist(s.train, 0, s.test)
	if err != nil {
		return err
	}
	trainSet, test := data.Train, data.Test

	// PCA.
	pca, err := fitPCA(trainSet, s.k)
	if err != nil {
		return l.errorf("pca: %w", err)
	}
	pcaTest := pca.mse(test)
	l.logf("PCA: top %d components explain %.1f %% of the variance; test MSE %.5f", s.k, 100*pca.explained(), pcaTest)

	// The linear autoencoder.
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{
		Inputs:  trainSet.Dim(),
		Encoder: []models.Layer{{Units: s.k, Activation: models.Linear}},
		Output:  models.Linear,
	}, l.rand("init"))
	if err != nil {
		return l.errorf("%w", err)
	}
	opt, err := newOptimizer("adam", map[string]float64{"lr": s.lr})
	if err != nil {
		return err
	}
	task, err := train.NewAutoencoder(ae, opt, train.AutoencoderConfig{BatchSize: s.batch, Loss: losses.ReconstructionMSE})
	if err != nil {
		return l.errorf("%w", err)
	}
	defer task.Close()
	total := s.epochs * (trainSet.Len() / s.batch)
	sched, err := schedules.New(schedules.Config{Name: "cosine", LR: s.lr, Total: total})
	if err != nil {
		return l.errorf("%w", err)
	}
	var angleAt []float64 // the largest principal angle after each epoch
	largestAngle := train.EpochEndFunc(func(train.Record) error {
		a, err := principalAngles(pca.basis, decoderBasis(ae))
		if err == nil {
			angleAt = append(angleAt, a[len(a)-1])
		}
		return err
	})
	c, err := fit(ctx, "linear autoencoder", task, trainSet, test, fitConfig{
		Config: train.Config{Epochs: s.epochs, Shuffle: l.rand("shuffle"), Schedule: sched, Hooks: []train.Hook{largestAngle}},
	})
	if err != nil {
		return l.errorf("%w", err)
	}
	if c.Diverged {
		return l.errorf("the autoencoder diverged at update %d", c.DivergedAt)
	}
	aeTest := c.Epochs[len(c.Epochs)-1].Val.Loss
	angles, err := principalAngles(pca.basis, decoderBasis(ae))
	if err != nil {
		return l.errorf("%w", err)
	}
	encAngles, err := principalAngles(pca.basis, orthonormal(matOf(ae.Encoder[0].W)))
	if err != nil {
		return l.errorf("%w", err)
	}
	l.logf("linear AE: test MSE %.5f; principal angles to PCA's subspace %.2f° … %.2f°", aeTest, angles[0], angles[len(angles)-1])

	res := &pcaResult{s: s, pca: pca, pcaTest: pcaTest, aeTest: aeTest, c: c, angles: angles, encAngles: encAngles, angleAt: angleAt}
	if err := writePCAData(l, res); err != nil {
		return err
	}
	if err := writePCAFigures(l, res, ae, task, test); err != nil {
		return err
	}
	return l.finish(pcaReport(res, trainSet.Len(), test.Len(), o.Quick))
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
	s               pcaSetup
	pca             *pcaModel
	pcaTest, aeTest float64
	c               *curve
	angles          []float64 // decoder span vs PCA
	encAngles       []float64 // encoder span vs PCA
	angleAt         []float64 // largest angle after each epoch
}

func writePCAData(l *lab, r *pcaResult) error {
	var rows [][]string
	for i := range r.angles {
		rows = append(rows, []string{strconv.Itoa(i + 1), num(r.angles[i]), num(r.encAngles[i])})
	}
	if err := l.writeCSV("angles.csv", []string{"index", "decoder_angle_degrees", "encoder_angle_degrees"}, rows); err != nil {
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
	for i, e := range r.c.Epochs {
		rows = append(rows, []string{strconv.Itoa(e.Epoch), strconv.Itoa(e.Updates), num(e.TrainLoss), num(e.Val.Loss), num(r.angleAt[i])})
	}
	return l.writeCSV("curve.csv", []string{"epoch", "updates", "train_mse", "test_mse", "largest_angle_degrees"}, rows)
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

	// Angles and the training curve.
	idx := make([]float64, len(r.angles))
	for i := range idx {
		idx[i] = float64(i + 1)
	}
	angles := &chart{Title: "Principal angles between the autoencoder's and PCA's subspaces", XLabel: "index (smallest angle first)", YLabel: "degrees", LegendLeft: true,
		Series: []series{{Name: "decoder span", X: idx, Y: r.angles, Points: true}, {Name: "encoder span", X: idx, Y: r.encAngles, Points: true, Dashed: true}}}
	var x, mse, big []float64
	for i, e := range r.c.Epochs {
		x = append(x, float64(e.Updates))
		mse = append(mse, e.Val.Loss)
		big = append(big, r.angleAt[i])
	}
	curve := &chart{Title: "Test reconstruction error during training", XLabel: "update", YLabel: "MSE (log scale)", LogY: true,
		Series: []series{{Name: "linear autoencoder", X: x, Y: mse, Points: true}},
		Rules:  []rule{{Name: "PCA", At: r.pcaTest, Color: paletteColor(3)}}}
	largest := &chart{Title: "Largest principal angle during training", XLabel: "update", YLabel: "degrees", NoLegend: true,
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

func pcaReport(r *pcaResult, nTrain, nTest int, quick bool) *report {
	rep := newReport("A linear autoencoder learns PCA's subspace", quick)
	s := r.s
	rep.p("PCA of the first %d MNIST training digits (the eigenvectors of their covariance, with gonum) against an autoencoder 784→%d→784 with a linear code and a linear output, "+
		"trained on the same digits with the mean squared error (Adam, lr %g annealed to 0 by a cosine over %d epochs, batch %d). "+
		"Both reconstruct %d test digits; the error is the mean over digits of (1/784) Σ (x − x̂)². "+
		"The autoencoder's units need not be the principal components themselves: any basis of the same subspace reconstructs as well, so the comparison is between subspaces, "+
		"by their principal angles (θ_i = arccos σ_i(Q_PCAᵀ Q_AE), Q orthonormal bases). Data: `angles.csv`, `spectrum.csv`, `curve.csv`.",
		nTrain, s.k, s.lr, s.epochs, s.batch, nTest)
	mean := meanOf(r.angles)
	rep.table([]string{"", "PCA (top " + strconv.Itoa(s.k) + ")", "linear autoencoder"}, [][]string{
		{"test reconstruction MSE", fmt.Sprintf("%.5f", r.pcaTest), fmt.Sprintf("%.5f", r.aeTest)},
		{"variance explained (training digits)", fmt.Sprintf("%.1f %%", 100*r.pca.explained()), ""},
		{"principal angles to PCA's subspace: smallest, mean, largest", "", fmt.Sprintf("%.2f°, %.2f°, %.2f°", r.angles[0], mean, r.angles[len(r.angles)-1])},
		{"… of the encoder's span", "", fmt.Sprintf("%.2f°, %.2f°, %.2f°", r.encAngles[0], meanOf(r.encAngles), r.encAngles[len(r.encAngles)-1])},
	})
	rep.figure("pca_vs_ae.png", "principal angles, test error during training and the largest angle during training")
	rep.p("Components, one tile per vector, each scaled to its own range (black lowest, white highest). Row 1: PCA's %d components, largest variance first. "+
		"Row 2: the autoencoder's %d decoder vectors as learned. Rows 3 and 4: the principal vectors of the two subspaces, paired (row 3 from PCA's subspace, row 4 from the autoencoder's): "+
		"when the subspaces agree, each pair looks alike.", s.k, s.k)
	rep.figure("components.png", "PCA components, decoder vectors, and the matched principal vectors of both subspaces")
	rep.p("Reconstructions of the first test digits: originals, PCA's, the autoencoder's.")
	rep.figure("reconstructions.png", "test digits, PCA reconstructions and linear autoencoder reconstructions")

	rep.h2("What the lecture claims, and whether it held")
	last := r.angles[len(r.angles)-1]
	rep.claim("An undercomplete autoencoder with a linear decoder and the MSE learns the same subspace as PCA", last < s.maxAngle,
		"The largest principal angle between the span of the decoder's vectors and PCA's top-%d subspace is %.2f° (mean %.2f°, smallest %.2f°); for the encoder's span, %.2f°. "+
			"The claim counts as held when every angle is below %g°. During training the largest angle went from %.1f° after the first epoch to %.2f°. "+
			"The decoder is what spans the reconstructions; the loss constrains the encoder only along directions in which the digits vary "+
			"(the weights from always-black border pixels never receive a gradient and keep their random initial values), so its span need not be PCA's.",
		s.k, last, mean, r.angles[0], r.encAngles[len(r.encAngles)-1], s.maxAngle, r.angleAt[0], r.angleAt[len(r.angleAt)-1])
	rep.claim("…so it reconstructs as well as PCA, the best linear projection onto "+strconv.Itoa(s.k)+" dimensions", r.aeTest <= 1.02*r.pcaTest,
		"Test MSE: PCA %.5f, the autoencoder %.5f (%.2f %% %s). The claim counts as held within 2 %%.",
		r.pcaTest, r.aeTest, 100*math.Abs(r.aeTest/r.pcaTest-1), yesNo(r.aeTest > r.pcaTest, "higher", "lower"))
	return rep
}
