package experiments

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/infer"
	"gonum.org/v1/plot"
)

// quickRuns lists, per experiment, the CSV files it writes with their
// headers and the figures its report embeds.
var quickRuns = []struct {
	name    string
	csv     map[string]string
	figures []string
	// claims are texts the report must contain, usually claim titles.
	claims []string
}{
	{
		name: "learning-rates",
		csv: map[string]string{
			"curves.csv":  "lr,seed,update,loss,seconds",
			"results.csv": "lr,seed,status,updates,diverged_at,train_loss,val_loss,val_error",
		},
		figures: []string{"loss_curves.png", "final_loss.png"},
		claims:  []string{"Too small a rate converges slowly", "Too large a rate overshoots and diverges — held", "U-shaped"},
	},
	{
		name: "schedules",
		csv: map[string]string{
			"curves.csv":  "schedule,seed,update,lr,loss",
			"epochs.csv":  "schedule,seed,epoch,updates,lr,train_loss,train_error,val_loss,val_error",
			"results.csv": "schedule,seed,lr,status,train_loss,val_loss,test_loss,test_error",
			"tuning.csv":  "schedule,lr,val_loss,chosen",
		},
		figures: []string{"schedules.png"},
		claims: []string{"is constant for τ updates and then falls as 1/t — held", "τ → ∞ gives a constant rate — held",
			"Decaying the rate ends lower than keeping η0 (training loss)", "Decaying the rate ends lower than keeping η0 (test loss)"},
	},
	{
		name: "adaptive-lr",
		csv: map[string]string{
			"curves.csv":  "run,seed,update,lr,loss",
			"epochs.csv":  "run,seed,epoch,updates,lr,train_batch_loss,val_loss,val_error",
			"choices.csv": "update,candidate_lr,subset_loss,chosen",
			"tuning.csv":  "lr,val_loss,chosen",
		},
		figures: []string{"adaptive_lr.png"},
		claims:  []string{"Started from a poor rate", "comes close to the best fixed rate"},
	},
	{
		name: "optimizers-mnist",
		csv: map[string]string{
			"curves.csv":  "optimizer,seed,update,seconds,loss,step",
			"results.csv": "optimizer,seed,hyper,status,updates,ms_per_update,train_loss,val_loss,val_error,test_error",
			"tuning.csv":  "optimizer,lr,val_loss,chosen",
		},
		figures: []string{"optimizers_mnist.png", "step_lengths.png"},
		claims:  []string{"Momentum accelerates SGD", "Adagrad's accumulated G", "adaptive methods train faster", "| qhadam", "| aggmo"},
	},
	{
		name: "early-stopping",
		csv: map[string]string{
			"epochs.csv":  "seed,epoch,updates,train_loss,train_error,val_loss,val_error",
			"results.csv": "seed,stopped_at,budget,best_update,returned_test_error,best_test_error,last_test_error,returned_is_best",
		},
		figures: []string{"early_stopping.png"},
		claims:  []string{"over-fits", "Patience stops training", "Early stopping returns the best model, not the last — held", "generalises better than the last"},
	},
	{
		name: "regularization",
		csv: map[string]string{
			"results.csv": "method,seed,train_error,val_error,test_error,test_loss,near_zero_fraction,relative_zero_fraction,near_zero_fraction_layer0,mean_abs_weight,dead_input_rows",
			"epochs.csv":  "method,seed,epoch,updates,train_loss,train_error,val_loss,val_error",
			"tuning.csv":  "method,param,value,val_error,chosen",
		},
		figures: []string{"weights.png", "magnitudes.png", "curves.png"},
		claims:  []string{"Regularization reduces over-fitting", "L1 drives useless weights to zero", "L2 shrinks the weights without zeroing them", "| dropout |", "| input noise |"},
	},
	{
		name: "pca-vs-linear-ae",
		csv: map[string]string{
			"angles.csv":   "seed,index,decoder_angle_degrees,encoder_angle_degrees",
			"spectrum.csv": "component,eigenvalue",
			"curve.csv":    "seed,epoch,updates,train_mse,val_mse,largest_angle_degrees",
			"tuning.csv":   "lr,val_mse,chosen",
		},
		figures: []string{"pca_vs_ae.png", "components.png", "reconstructions.png"},
		claims:  []string{"learns the same subspace as PCA", "reconstructs as well as PCA"},
	},
	{
		name: "autoencoders",
		csv: map[string]string{
			"results.csv": "model,seed,lr,code_units,parameters,test_mse,masked_to_clean_mse,inactive_code_fraction,mean_code,probe_test_error,probe_test_loss",
			"curves.csv":  "model,seed,epoch,updates,train_objective,val_bce",
			"tuning.csv":  "model,lr,val_bce,chosen",
		},
		figures: []string{"metrics.png", "denoising.png", "filters-undercomplete.png", "filters-deep.png", "filters-plain-256.png", "filters-sparse.png", "filters-denoising.png"},
		claims:  []string{"A deep autoencoder (the funnel)", "makes each input use few hidden units", "restore corrupted inputs", "a linear classifier on the codes"},
	},
	{
		name: "pretraining",
		csv: map[string]string{
			"results.csv":     "labelled,pretrained,seed,lr,best_update,updates,val_error,test_error,test_loss",
			"pretraining.csv": "seed,layer,epoch,train_loss,val_reconstruction_loss",
			"curves.csv":      "labelled,pretrained,seed,epoch,updates,train_loss,val_error",
			"tuning.csv":      "labelled,pretrained,lr,val_error,chosen",
		},
		figures: []string{"pretraining.png", "filters.png"},
		claims:  []string{"Pretraining on unlabelled data helps when labels are scarce", "advantage shrinks"},
	},
	{
		name: "dice-vs-ce",
		csv: map[string]string{
			"results.csv": "training_set,seed,loss,lr,train_positives,class,test_support,precision,recall,f1",
			"epochs.csv":  "training_set,seed,loss,epoch,updates,train_objective,val_f1_positive",
			"tuning.csv":  "training_set,loss,lr,val_f1_positive,chosen",
		},
		figures: []string{"dice_vs_ce.png"},
		claims:  []string{"The Dice loss is robust to class imbalance", "beats cross-entropy's at 1 % positives"},
	},
}

// TestQuickExperiments runs every training experiment on its quick
// settings and checks what it wrote: each CSV's header, that it has rows
// and that every number in it is finite; each figure decodes as a PNG of a
// reasonable size; the report embeds every figure, names the claims, says
// for each whether it held, and holds no formatting accident.
func TestQuickExperiments(t *testing.T) {
	if testing.Short() || os.Getenv("ZOO_SKIP_QUICK_EXPERIMENTS") != "" {
		t.Skip("-short or ZOO_SKIP_QUICK_EXPERIMENTS: the quick runs take about a minute")
	}
	for _, q := range quickRuns {
		t.Run(q.name, func(t *testing.T) {
			e, err := Lookup(q.name)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := e.Run(context.Background(), Options{Out: dir, Quick: true, Seed: 1}); err != nil {
				t.Fatal(err)
			}
			for name, header := range q.csv {
				checkCSV(t, filepath.Join(dir, name), header)
			}
			for _, f := range q.figures {
				checkPNG(t, filepath.Join(dir, f))
			}
			report, err := os.ReadFile(filepath.Join(dir, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, report, dir, q.figures, q.claims)
			checkResults(t, filepath.Join(dir, "results.json"), q.name, report)
		})
	}
}

// checkCSV checks a CSV file's header and that every field that reads as
// a number is a finite one.
func checkCSV(t *testing.T, path, header string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if len(rows) < 2 {
		t.Errorf("%s: %d rows, want a header and data", path, len(rows))
		return
	}
	if got := strings.Join(rows[0], ","); got != header {
		t.Errorf("%s: header %q, want %q", filepath.Base(path), got, header)
	}
	for i, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Errorf("%s row %d: %d fields, want %d", filepath.Base(path), i+2, len(r), len(rows[0]))
		}
		for j, v := range r {
			x, err := strconv.ParseFloat(v, 64)
			if err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
				t.Errorf("%s row %d, %s: %q is not finite", filepath.Base(path), i+2, rows[0][j], v)
			}
		}
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
		t.Errorf("%s is only %v", filepath.Base(path), b)
	}
}

var figureLink = regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`)

func checkReport(t *testing.T, report []byte, dir string, figures, claims []string) {
	t.Helper()
	if !bytes.HasPrefix(report, []byte("# ")) || !bytes.Contains(report, []byte("Quick run")) {
		t.Errorf("report.md lacks its title or the quick-run warning:\n%s", report)
	}
	links := map[string]bool{}
	for _, m := range figureLink.FindAllSubmatch(report, -1) {
		links[string(m[1])] = true
		if _, err := os.Stat(filepath.Join(dir, string(m[1]))); err != nil {
			t.Errorf("report.md embeds %s: %v", m[1], err)
		}
	}
	for _, f := range figures {
		if !links[f] {
			t.Errorf("report.md does not embed %s", f)
		}
	}
	for _, c := range claims {
		if !bytes.Contains(report, []byte(c)) {
			t.Errorf("report.md lacks %q", c)
		}
	}
	verdicts := 0
	for _, v := range []string{" — held.**", " — did not hold.**", " — not separable at this budget.**"} {
		verdicts += bytes.Count(report, []byte(v))
	}
	if verdicts == 0 {
		t.Errorf("report.md gives no verdict")
	}
	for _, bad := range []string{"NaN", "+Inf", "%!", "<nil>"} {
		if bytes.Contains(report, []byte(bad)) {
			t.Errorf("report.md contains %q", bad)
		}
	}
}

// resultsSchema is results.json as docs/experiments.md documents it,
// decoded strictly: a field the document does not name is an error.
type resultsSchema struct {
	Experiment string `json:"experiment"`
	Quick      bool   `json:"quick"`
	Rule       string `json:"rule"`
	Methods    []struct {
		Name     string         `json:"name"`
		Settings map[string]any `json:"settings"`
		Tuned    *struct {
			On       string  `json:"on"`
			Param    string  `json:"param"`
			Metric   string  `json:"metric"`
			Seed     uint64  `json:"seed"`
			Chosen   float64 `json:"chosen"`
			Extended int     `json:"extended"`
			Tried    []struct {
				Value    float64  `json:"value"`
				Score    *float64 `json:"score"`
				Diverged bool     `json:"diverged"`
			} `json:"tried"`
		} `json:"tuned"`
		Seeds   []uint64             `json:"seeds"`
		PerSeed []map[string]float64 `json:"per_seed"`
		Mean    map[string]float64   `json:"mean"`
		SD      map[string]float64   `json:"sd"`
		N       map[string]int       `json:"n"`
	} `json:"methods"`
	Verdicts []struct {
		Claim  string `json:"claim"`
		Result string `json:"result"`
		Rule   string `json:"rule"`
	} `json:"verdicts"`
}

// checkResults checks an experiment's results.json against the schema: every
// method run with the quick profile's seeds, its summaries those of its
// per-seed measures, a tuned setting chosen among the values tried on the
// validation split and applied, and every verdict one of the three, with
// its rule, on a claim the report states.
func checkResults(t *testing.T, path, name string, report []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var res resultsSchema
	if err := dec.Decode(&res); err != nil {
		t.Errorf("results.json: %v", err)
		return
	}
	if res.Experiment != name || !res.Quick || res.Rule == "" {
		t.Errorf("results.json: experiment %q, quick %v, rule %q", res.Experiment, res.Quick, res.Rule)
	}
	if len(res.Methods) < 2 {
		t.Errorf("results.json: %d methods, want a comparison", len(res.Methods))
	}
	names := map[string]bool{}
	for _, m := range res.Methods {
		if names[m.Name] || m.Name == "" {
			t.Errorf("results.json: method name %q empty or repeated", m.Name)
		}
		names[m.Name] = true
		if len(m.Seeds) != quickSeeds || len(m.PerSeed) != len(m.Seeds) || m.Seeds[0] == m.Seeds[1] {
			t.Errorf("%s: seeds %v and %d per-seed entries, want %d distinct seeds, one entry each", m.Name, m.Seeds, len(m.PerSeed), quickSeeds)
		}
		values := map[string][]float64{}
		for _, s := range m.PerSeed {
			for k, v := range s {
				values[k] = append(values[k], v)
			}
		}
		if len(values) == 0 || len(values) != len(m.Mean) || len(values) != len(m.N) {
			t.Errorf("%s: measures %d, means %d, counts %d", m.Name, len(values), len(m.Mean), len(m.N))
		}
		for k, v := range values {
			mean := 0.0
			for _, x := range v {
				mean += x
			}
			mean /= float64(len(v))
			if math.Abs(m.Mean[k]-mean) > 1e-9*math.Max(1, math.Abs(mean)) || m.N[k] != len(v) {
				t.Errorf("%s: %s mean %v n %d, want %v n %d", m.Name, k, m.Mean[k], m.N[k], mean, len(v))
			}
			if _, ok := m.SD[k]; ok != (len(v) > 1) {
				t.Errorf("%s: %s has sd %v with %d values", m.Name, k, ok, len(v))
			}
		}
		if tu := m.Tuned; tu != nil {
			found := false
			for _, tr := range tu.Tried {
				found = found || tr.Value == tu.Chosen
				if tr.Diverged == (tr.Score != nil) {
					t.Errorf("%s: trial %v: diverged %v with score %v", m.Name, tr.Value, tr.Diverged, tr.Score)
				}
			}
			if tu.On != "validation" || tu.Param == "" || tu.Metric == "" || !found || tu.Seed != m.Seeds[0] {
				t.Errorf("%s: tuned on %q, param %q, metric %q, chosen %v (among the tried: %v), seed %d", m.Name, tu.On, tu.Param, tu.Metric, tu.Chosen, found, tu.Seed)
			}
			if v, ok := m.Settings[tu.Param].(float64); !ok || v != tu.Chosen {
				t.Errorf("%s: settings[%q] = %v, want the chosen %v", m.Name, tu.Param, m.Settings[tu.Param], tu.Chosen)
			}
		}
	}
	if len(res.Verdicts) == 0 {
		t.Error("results.json: no verdicts")
	}
	for _, v := range res.Verdicts {
		switch v.Result {
		case "held", "did not hold", "not separable":
		default:
			t.Errorf("verdict on %q: result %q", v.Claim, v.Result)
		}
		if v.Rule == "" || !bytes.Contains(report, []byte("**"+v.Claim+" — ")) {
			t.Errorf("verdict on %q: rule %q; in the report: %v", v.Claim, v.Rule, bytes.Contains(report, []byte("**"+v.Claim+" — ")))
		}
	}
}

// TestLearningRatesDeterministic runs learning-rates twice with the same
// seed: every number that does not measure time must be the same.
func TestLearningRatesDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("two runs of an experiment")
	}
	var results [2][]byte
	for i := range results {
		dir := t.TempDir()
		if err := LearningRates(context.Background(), Options{Out: dir, Quick: true, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		var err error
		if results[i], err = os.ReadFile(filepath.Join(dir, "results.csv")); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(results[0], results[1]) {
		t.Errorf("two runs with seed 3 differ:\n%s\n%s", results[0], results[1])
	}
	if !bytes.Contains(results[0], []byte("10,3,diverged,")) {
		t.Errorf("lr 10 is not marked as diverged:\n%s", results[0])
	}
}

func TestSmooth(t *testing.T) {
	x, y := smooth([]float64{1, 2, 3, 4, 5}, 2)
	if got, want := x, []float64{2, 4, 5}; !equal(got, want) {
		t.Errorf("smooth x = %v, want %v", got, want)
	}
	if got, want := y, []float64{1.5, 3.5, 5}; !equal(got, want) {
		t.Errorf("smooth y = %v, want %v", got, want)
	}
}

func TestClassScores(t *testing.T) {
	// 4 positives, 3 found, 1 false alarm.
	pred := []int{1, 1, 1, 0, 1, 0, 0, 0}
	labels := []int{1, 1, 1, 1, 0, 0, 0, 0}
	s := infer.ClassMetrics(pred, labels, 2)[1]
	if s.Support != 4 || s.Predicted != 4 || s.Recall != 0.75 || s.Precision != 0.75 || s.F1 != 0.75 {
		t.Errorf("class 1: %+v", s)
	}
}

func TestRegularizationMeasures(t *testing.T) {
	w := []float64{0, 1e-4, -0.5, 0.5, 2e-3, -1}
	if got := zeroFraction(w); got != 2.0/6 {
		t.Errorf("zeroFraction = %v, want 1/3", got)
	}
	// Scaling every weight leaves the scale-free fraction unchanged.
	scaled := make([]float64, len(w))
	for i, v := range w {
		scaled[i] = 0.1 * v
	}
	if a, b := relZeroFraction(w), relZeroFraction(scaled); a != b {
		t.Errorf("relZeroFraction changed under scaling: %v and %v", a, b)
	}
	// A 3×2 layer whose first input row is all zero.
	if dead, rows := deadRows([]float64{0, 1e-4, 0.3, 0, 0.2, 0.1}, 2); dead != 1 || rows != 3 {
		t.Errorf("deadRows = %d of %d, want 1 of 3", dead, rows)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTicks(t *testing.T) {
	labels := func(ticks []plot.Tick) []string {
		var out []string
		for _, tk := range ticks {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	if got := strings.Join(labels(logTicks{}.Ticks(1e-6, 10)), " "); got != "1e-06 1e-05 0.0001 0.001 0.01 0.1 1 10" {
		t.Errorf("log ticks over 1e-6…10: %s", got)
	}
	// Less than a decade: round linear values, at least two.
	if got := labels(logTicks{}.Ticks(0.0275, 0.0336)); len(got) < 2 {
		t.Errorf("log ticks over 0.0275…0.0336: %v", got)
	}
	for _, l := range labels(linearTicks{}.Ticks(-0.02, 1.35)) {
		if l == "-0" {
			t.Errorf("linear ticks label -0")
		}
	}
}
