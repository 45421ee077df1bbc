package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// Example trains mlp-mnist's quick profile (a few seconds), saves three
// test digits as a user would draw them (black on white, 84×84 pixels) and
// classifies the files.
func Example() {
	dir, err := os.MkdirTemp("", "zoo-classify-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	run := filepath.Join(dir, "run")
	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := pipeline.Train(context.Background(), r, pipeline.Options{Out: run}); err != nil {
		log.Fatal(err)
	}

	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	var paths []string
	for i := range 3 {
		path := filepath.Join(dir, fmt.Sprintf("digit-%d.png", i))
		if err := saveDrawn(path, data.Test.Row(i), 3); err != nil {
			log.Fatal(err)
		}
		paths = append(paths, path)
	}

	preds, err := classify(run, paths)
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range preds {
		fmt.Printf("%s: %d (label %d)\n", filepath.Base(paths[i]), p.Class, data.Test.Labels[i])
	}
	// Output:
	// digit-0.png: 7 (label 7)
	// digit-1.png: 2 (label 2)
	// digit-2.png: 1 (label 1)
}

// saveDrawn saves a 28×28 MNIST digit as a PNG, dark on light, each pixel
// a k×k square.
func saveDrawn(path string, pixels []float32, k int) error {
	src, err := images.Gray(pixels, 28, 28)
	if err != nil {
		return err
	}
	img := image.NewGray(image.Rect(0, 0, 28*k, 28*k))
	for y := range 28 * k {
		for x := range 28 * k {
			img.Pix[y*img.Stride+x] = 255 - src.Pix[(y/k)*src.Stride+x/k]
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
