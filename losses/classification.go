package losses

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// Classification names a classifier's training loss. It is a name, so a
// recipe and a run can carry it; the classifier builds the loss it names.
type Classification string

// The classification losses.
const (
	// ClassificationCrossEntropy is the softmax cross-entropy of the logits against the
	// one-hot labels (SoftmaxCrossEntropy), averaged over the batch.
	ClassificationCrossEntropy Classification = "cross-entropy"
	// ClassificationDice is 1 − D for two classes: D of the positive class's softmax
	// probability against its indicator over the batch (Dice), the
	// lecture's loss for imbalanced classes.
	ClassificationDice Classification = "dice"
)

// Classifications lists the classification loss names, sorted.
func Classifications() []string {
	return []string{string(ClassificationCrossEntropy), string(ClassificationDice)}
}

// Validate reports whether c is a known loss.
func (c Classification) Validate() error {
	switch c {
	case ClassificationCrossEntropy, ClassificationDice:
		return nil
	}
	return fmt.Errorf("losses: unknown loss %q (known: cross-entropy, dice)", string(c))
}

// ClassificationFunc is a classifier's training loss given as a function
// instead of a name (train.ClassifierConfig.LossFunc): it builds, on the
// graph of its arguments, the loss of each example from the logits
// [batch, classes] and the one-hot targets [batch, classes], and returns it
// as a vector [batch]; the objective is its mean. It is called once per
// graph compiled (a clone's included), so it must only build nodes.
// SoftmaxCrossEntropy is one: with it a classifier trains exactly as with
// ClassificationCrossEntropy.
type ClassificationFunc func(logits, targets *gorgonia.Node) (perExample *gorgonia.Node, err error)
