package nb

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gonbuiStub stands in for GoNB's gonbui package, which is not in the zoo
// module's requirements: the check only needs the functions' signatures.
const gonbuiStub = `// Package gonbui declares the GoNB display functions the notebooks call.
package gonbui

func DisplayPNG(png []byte)      {}
func DisplayMarkdown(md string)  {}
func DisplayHTML(html string)    {}
func DisplaySVG(svg string)      {}
`

var importBlock = regexp.MustCompile(`(?ms)^import \(.*?^\)\n|^import "[^"]*"\n`)

// notebookProgram turns a GoNB notebook's Go cells into the source of one
// Go package named pkg, as GoNB compiles them: cells without %% hold
// declarations, and each cell that starts with %% becomes the body of a
// function of its own. Shell (!) and magic (%) cells are left out.
// gonbui's import path is replaced by stubPath. GoNB builds each cell as a
// program; a package that is not main type-checks the same code without
// the cost of linking it.
func notebookProgram(raw []byte, pkg, stubPath string) (string, error) {
	var nb struct {
		Cells []struct {
			Type   string   `json:"cell_type"`
			Source []string `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		return "", err
	}
	var imports, decls, bodies strings.Builder
	for i, c := range nb.Cells {
		src := strings.Join(c.Source, "")
		first := strings.TrimSpace(strings.SplitN(strings.TrimSpace(src), "\n", 2)[0])
		switch {
		case c.Type != "code" || first == "":
		case first == "%%" || strings.HasPrefix(first, "%% "):
			body := strings.SplitN(strings.TrimSpace(src), "\n", 2)
			if len(body) == 2 {
				fmt.Fprintf(&bodies, "\n// cell %d\nfunc cell%d() {\n%s\n}\n", i, i, body[1])
			}
		case strings.HasPrefix(first, "!") || strings.HasPrefix(first, "%"):
		default:
			for _, imp := range importBlock.FindAllString(src, -1) {
				imports.WriteString(imp)
			}
			fmt.Fprintf(&decls, "\n// cell %d\n%s\n", i, importBlock.ReplaceAllString(src, ""))
		}
	}
	imp := strings.ReplaceAll(imports.String(), `"github.com/janpfeifer/gonb/gonbui"`, `"`+stubPath+`"`)
	return "package " + pkg + "\n\n" + imp + decls.String() + bodies.String(), nil
}

// TestNotebooksCompile compiles every notebook's Go cells against the
// packages in this checkout, so that an API change that breaks a notebook
// fails `go test` instead of the next notebook run. It builds them through
// an overlay, so nothing is written into the repository.
func TestNotebooksCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the notebooks' cells with the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	notebooks, err := filepath.Glob("../*.ipynb")
	if err != nil || len(notebooks) == 0 {
		t.Fatalf("no notebooks in ..: %v", err)
	}
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com/gorgonia-zoo/zoo/notebooks/nb"
	tmp := t.TempDir()
	overlay := map[string]string{}
	add := func(rel, content string) {
		f := filepath.Join(tmp, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		overlay[filepath.Join(here, "internal", filepath.FromSlash(rel))] = f
	}
	add("gonbui/gonbui.go", gonbuiStub)
	var pkgs []string
	for _, path := range notebooks {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := "nb" + strings.NewReplacer("-", "", ".ipynb", "").Replace(filepath.Base(path))
		prog, err := notebookProgram(raw, name, pkg+"/internal/gonbui")
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		add("notebookcheck/"+name+"/main.go", prog)
		pkgs = append(pkgs, "./internal/notebookcheck/"+name)
	}
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	ovPath := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, append([]string{"build", "-buildvcs=false", "-overlay=" + ovPath}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go build of the notebooks' cells (%v) failed:\n%s\nThe programs checked:", err, out)
		for rel, f := range overlay {
			if strings.HasSuffix(rel, "main.go") {
				b, _ := os.ReadFile(f)
				t.Logf("%s:\n%s", rel, numbered(string(b)))
			}
		}
	}
}

// numbered prefixes every line of s with its number, to match the compiler's
// positions.
func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

func TestNotebookProgram(t *testing.T) {
	raw := `{"cells": [
 {"cell_type": "markdown", "source": ["# title\n", "%% not code\n"]},
 {"cell_type": "code", "source": ["!*go mod edit -replace=a=b\n"]},
 {"cell_type": "code", "source": ["import (\n", "\t\"fmt\"\n", "\t\"github.com/janpfeifer/gonb/gonbui\"\n", ")\n", "\n", "func show() { gonbui.DisplayPNG(nil) }\n"]},
 {"cell_type": "code", "source": ["%%\n", "fmt.Println(1)\n", "show()"]},
 {"cell_type": "code", "source": ["%help\n"]},
 {"cell_type": "code", "source": []}
]}`
	got, err := notebookProgram([]byte(raw), "check", "example.com/stub")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"package check\n\nimport (\n\t\"fmt\"\n\t\"example.com/stub\"\n)\n",
		"// cell 2\n\nfunc show() { gonbui.DisplayPNG(nil) }\n",
		"// cell 3\nfunc cell3() {\nfmt.Println(1)\nshow()\n}\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("program lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"mod edit", "%help", "# title", "janpfeifer"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("program holds %q:\n%s", unwanted, got)
		}
	}
	if _, err := notebookProgram([]byte("{"), "check", "x"); err == nil {
		t.Error("a truncated notebook gave no error")
	}
}
