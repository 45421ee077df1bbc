package citations

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the module's root, relative to this package.
const root = "../.."

// lecture is the page every citation must resolve in.
const lecture = "docs/lecture.md"

var (
	// heading is a section of docs/lecture.md: "## §3 Optimizers".
	heading = regexp.MustCompile(`^## §(\d+) `)
	// citation is "docs/lecture.md §4", a range "docs/lecture.md §4–5", or
	// the Markdown link "[docs/lecture.md](../docs/lecture.md) §6".
	citation = regexp.MustCompile(`lecture\.md\)?\s*§\s*(\d+)(?:\s*[–-]\s*§?\s*(\d+))?`)
	// stale are the names the code cited the lecture by before the lecture
	// was in the repository (a capitalised file name outside it, or a bare
	// section sign after the word); the pattern is split so that this file
	// does not match it.
	stale = regexp.MustCompile(`LEC` + `TURE(\.md)?\b|[Ll]ecture §`)
)

// sections returns the section numbers of docs/lecture.md.
func sections(t *testing.T) map[int]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(root, lecture))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := map[int]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := heading.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[1])
			s[n] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// sources returns the files that may cite the lecture, relative to root.
func sources(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".ipynb", ".yaml":
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestLectureCitationsResolve checks every citation of docs/lecture.md
// names one of its sections, and that nothing still cites the lecture as a
// document outside the repository.
func TestLectureCitationsResolve(t *testing.T) {
	have := sections(t)
	for n := 1; n <= 6; n++ {
		if !have[n] {
			t.Errorf("%s has no heading \"## §%d …\"", lecture, n)
		}
	}
	cited := 0
	for _, file := range sources(t) {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				cited++
				for _, s := range m[1:] {
					if s == "" {
						continue
					}
					if n, _ := strconv.Atoi(s); !have[n] {
						t.Errorf("%s:%d cites %q, but %s has no §%d", file, i+1, m[0], lecture, n)
					}
				}
			}
			if file != "CHANGELOG.md" && stale.MatchString(line) {
				t.Errorf("%s:%d cites the lecture as %q: cite %s §N", file, i+1, stale.FindString(line), lecture)
			}
		}
	}
	if cited < 20 {
		t.Errorf("found %d citations of %s; the code cites it at least 20 times, so the scan is not reading the sources", cited, lecture)
	}
}
