package pipeline

import (
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// LoadData returns the splits of the data set d names (see datasets.Lookup),
// limited as it asks, and relabelled as a two-class task when it lists
// positive classes. dir, if not empty, replaces d.Dir.
func LoadData(d recipes.Data, dir string) (*datasets.Splits, error) {
	if dir == "" {
		dir = d.Dir
	}
	src, err := datasets.Lookup(d.Name)
	if err != nil {
		return nil, err
	}
	s, err := src.Load(datasets.Request{Dir: dir})
	if err != nil {
		return nil, err
	}
	s = s.Limit(d.Train, d.Validation, d.Test)
	if len(d.Positive) > 0 {
		s = &datasets.Splits{
			Train:      s.Train.Binary(d.Positive...),
			Validation: s.Validation.Binary(d.Positive...),
			Test:       s.Test.Binary(d.Positive...),
		}
	}
	return s, nil
}
