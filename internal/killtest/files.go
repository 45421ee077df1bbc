package killtest

import (
	"encoding/csv"
	"fmt"
	"image/png"
	"os"
	"slices"
	"strconv"
)

// checkPNG decodes the image at path: a figure of an autoencoder run.
func checkPNG(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if img.Bounds().Empty() {
		return fmt.Errorf("%s: empty image", path)
	}
	return nil
}

// adaptiveHeader is the header of runs.AdaptiveFile (see
// schedules.Adaptive.WriteCSV).
var adaptiveHeader = []string{"update", "candidate_lr", "subset_loss", "chosen"}

// checkAdaptive parses the adaptive schedule's log at path: every search
// (the rows of one update, updates increasing) tried positive rates, got a
// loss for each (+Inf for a diverged copy) and chose exactly one.
func checkAdaptive(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], adaptiveHeader) {
		return fmt.Errorf("%s: missing or unexpected header, want %v", path, adaptiveHeader)
	}
	last, chosen := 0, 0
	for i, row := range rows[1:] {
		line := i + 2
		u, err := strconv.Atoi(row[0])
		if err != nil || u < last || u < 1 {
			return fmt.Errorf("%s: line %d: update %q after update %d", path, line, row[0], last)
		}
		if u != last {
			if last > 0 && chosen != 1 {
				return fmt.Errorf("%s: the search at update %d chose %d rates", path, last, chosen)
			}
			last, chosen = u, 0
		}
		if lr, err := strconv.ParseFloat(row[1], 64); err != nil || !(lr > 0) {
			return fmt.Errorf("%s: line %d: candidate_lr %q", path, line, row[1])
		}
		if _, err := strconv.ParseFloat(row[2], 64); err != nil {
			return fmt.Errorf("%s: line %d: subset_loss %q", path, line, row[2])
		}
		switch row[3] {
		case "0":
		case "1":
			chosen++
		default:
			return fmt.Errorf("%s: line %d: chosen %q, want 0 or 1", path, line, row[3])
		}
	}
	if last > 0 && chosen != 1 {
		return fmt.Errorf("%s: the search at update %d chose %d rates", path, last, chosen)
	}
	return nil
}
