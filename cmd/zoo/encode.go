package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/npy"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/spf13/cobra"
)

type encodeOptions struct {
	dir   string
	split string
	out   string
	data  string
}

// The formats zoo encode writes, by the --out file's extension.
const (
	formatCSV = ".csv"
	formatNPY = ".npy"
)

func newEncodeCmd(e *env, runF func(*encodeOptions) error) *cobra.Command {
	o := &encodeOptions{}
	cmd := &cobra.Command{
		Use:   "encode DIR|zoo:NAME",
		Short: "Write an autoencoder's codes of a data split to CSV or NPY",
		Long: `Encode every example of a split of the run's data (the recipe's data set and
limits) with the autoencoder trained in run directory DIR, and write the codes
h = f(x):

  FILE.csv  a header label,c0,c1,… then one row per example: its label and
            its code
  FILE.npy  NumPy's format: float32, shape [examples, code units], in the
            split's order (the labels are in the CSV, or in the data set)

Without --out the CSV goes to standard output.

DIR may be zoo:NAME, a model zoo ships trained (zoo list marks them).`,
		Example: `  zoo encode zoo-runs/ae-mnist-20261127-141500 --out codes.csv
  zoo encode zoo-runs/ae-mnist-20261127-141500 --split train --out train-codes.npy
  zoo encode zoo-runs/ae-mnist-20261127-141500 --data ~/mnist | head
  zoo encode zoo:dae-mnist --out codes.npy   # the dae zoo ships trained`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			if _, err := parseSplitFlag(o.split); err != nil {
				return err
			}
			if o.out != "" {
				if ext := strings.ToLower(filepath.Ext(o.out)); ext != formatCSV && ext != formatNPY {
					return fmt.Errorf("--out %s: name the file .csv (text, with labels) or .npy (NumPy float32)", o.out)
				}
			}
			if runF != nil {
				return runF(o)
			}
			return runEncode(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.split, "split", "test", "the data split to encode: train, validation or test")
	f.StringVar(&o.out, "out", "", "write the codes to this .csv or .npy file (default: CSV on standard output)")
	f.StringVar(&o.data, "data", "", "read the run's data from this directory instead of where the run recorded it (the same files: they are checked)")
	return cmd
}

func runEncode(e *env, o *encodeOptions) error {
	honourInterrupts(e.ctx) // a download stops on Ctrl-C
	if o.out != "" {
		if err := newOutFile(o.out); err != nil {
			return err
		}
	}
	m, err := loadRun(o.dir)
	if err != nil {
		return err
	}
	defer m.Close()
	k := m.CodeUnits()
	if k == 0 {
		instead := "classify with zoo predict " + o.dir
		if len(m.Shape) != 2 { // predict takes pictures only
			instead = "measure it on its test data with zoo eval " + o.dir
		}
		return fmt.Errorf("%s holds a classifier (recipe %s), which has no code to write: encode needs an autoencoder run (model type autoencoder, e.g. zoo train ae-mnist); %s", o.dir, m.Recipe.Name, instead)
	}
	data, err := pipeline.LoadRunData(e.ctx, m, pipeline.DataOptions{Dir: o.data, Progress: e.errOut})
	if err != nil {
		return err
	}
	split, err := parseSplitFlag(o.split)
	if err != nil {
		return err
	}
	set := split.Of(data)
	if set == nil || set.Len() == 0 {
		return fmt.Errorf("the %s split of %s's data is empty", o.split, m.Recipe.Name)
	}
	codes, err := m.Encode(set.X)
	if err != nil {
		return err
	}
	if o.out == "" {
		return writeCodesCSV(e.out, codes, k, set.Labels)
	}
	write := func(w io.Writer) error { return writeCodesCSV(w, codes, k, set.Labels) }
	if strings.ToLower(filepath.Ext(o.out)) == formatNPY {
		write = func(w io.Writer) error { return npy.Write(w, codes, set.Len(), k) }
	}
	if err := atomicfile.WriteFunc(o.out, write); err != nil {
		return fmt.Errorf("write %s: %w", o.out, err)
	}
	fmt.Fprintf(e.out, "wrote the %d-unit codes of %d %s examples to %s\n", k, set.Len(), o.split, o.out)
	return nil
}

// writeCodesCSV writes a header label,c0,…,c{k-1} and one row per code;
// the label is empty for an unlabelled set. Values are float32 in their
// shortest exact form.
func writeCodesCSV(w io.Writer, codes []float32, k int, labels []int) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("label")
	for j := range k {
		bw.WriteString(",c" + strconv.Itoa(j))
	}
	bw.WriteByte('\n')
	var buf []byte
	for i := range len(codes) / k {
		if labels != nil {
			bw.WriteString(strconv.Itoa(labels[i]))
		}
		for _, v := range codes[i*k : (i+1)*k] {
			buf = strconv.AppendFloat(append(buf[:0], ','), float64(v), 'g', -1, 32)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
