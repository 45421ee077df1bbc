package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// NewProgress returns the progress report of the CLI, a hook for
// Config.Hooks: a bar per epoch showing the loss and samples/s when
// interactive is true (w is a terminal), and otherwise a plain line every few
// seconds, so logs stay readable. Either way each epoch ends with one summary
// line.
func NewProgress(w io.Writer, interactive bool, batchSize int) Hook {
	return NewProgressCounting(w, interactive, batchSize, nil)
}

// NewProgressCounting is NewProgress whose epoch lines also show the rate
// of the matrix products: flops returns the floating-point operations of
// those computed so far (for example a cblas.Counter's Flops), and an
// epoch's line ends with their increase over the epoch (validation
// included) divided by the epoch's time in this process, in GFLOP/s. With
// flops nil it is NewProgress.
func NewProgressCounting(w io.Writer, interactive bool, batchSize int, flops func() int64) Hook {
	return &progress{w: w, tty: interactive, bs: batchSize, every: 10 * time.Second, flops: flops}
}

type progress struct {
	w       io.Writer
	tty     bool
	bs      int
	every   time.Duration
	epoch   int
	epochs  int
	batches int
	bar     *progressbar.ProgressBar
	start   time.Time
	last    time.Time
	sum     float64
	// flops reads the operations counted so far (nil: not shown), and
	// flops0 is what it read at the start of the epoch.
	flops  func() int64
	flops0 int64
}

func (p *progress) OnEpochStart(epoch, epochs, batches int) {
	p.epoch, p.epochs, p.batches = epoch, epochs, batches
	p.start, p.last, p.sum = time.Now(), time.Now(), 0
	if p.flops != nil {
		p.flops0 = p.flops()
	}
	if p.tty {
		p.bar = progressbar.NewOptions(batches,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
}

func (p *progress) rate(done int) float64 {
	return float64(done*p.bs) / max(time.Since(p.start).Seconds(), 1e-9)
}

func (p *progress) OnStep(s StepInfo) error {
	done := s.Done
	p.sum += s.Loss
	if p.tty {
		p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f %6.0f samples/s", p.epoch, p.epochs, p.sum/float64(done), p.rate(done)))
		p.bar.Set(done)
		return nil
	}
	if time.Since(p.last) >= p.every && done < p.batches {
		p.last = time.Now()
		fmt.Fprintf(p.w, "epoch %d/%d  %5.1f%%  loss %.4f  %.0f samples/s\n",
			p.epoch, p.epochs, 100*float64(done)/float64(p.batches), p.sum/float64(done), p.rate(done))
	}
	return nil
}

func (p *progress) OnEpochEnd(r Record) error {
	if p.tty && p.bar != nil {
		p.bar.Finish()
	}
	line := fmt.Sprintf("epoch %d/%d  train loss %.4f", r.Epoch, p.epochs, r.TrainLoss)
	if r.Val.N > 0 {
		line += fmt.Sprintf("  val loss %.4f", r.Val.Loss)
		if r.Val.HasError {
			line += fmt.Sprintf("  val error %.2f%%", 100*r.Val.Error)
		}
	}
	line += fmt.Sprintf("  %.1fs", r.Seconds)
	if p.flops != nil {
		line += fmt.Sprintf("  %.1f GFLOP/s", float64(p.flops()-p.flops0)/max(time.Since(p.start).Seconds(), 1e-9)/1e9)
	}
	fmt.Fprintln(p.w, line)
	return nil
}
