// Package optimizers implements the first-order optimizers of a lecture on
// training deep networks, each with the exact update rule given in its doc
// comment (with the paper it comes from), behind one interface that is
// compatible with gorgonia.Solver.
//
// Every optimizer is created by name through New and updates the parameters
// passed to Step in place:
//
//	opt, err := optimizers.New(optimizers.Config{Name: "adam"})
//	...
//	for epoch := 0; epoch < n; epoch++ {
//		vm.RunAll()
//		opt.Step(gorgonia.NodesToValueGrads(learnables))
//		vm.Reset()
//	}
//
// The registry names are adadelta, adagrad, adam, adamax, adamw, aggmo,
// amsgrad, momentum, nadam, nesterov, qhadam, rmsprop and sgd. Each lives in
// its own file, whose doc comment gives the paper and the full update rule;
// Spec lists the hyper-parameters of an optimizer with their defaults.
//
// From Go, each optimizer also has a typed configuration and constructor,
// so that a misspelt hyper-parameter fails to compile rather than at run
// time (typed.go):
//
//	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 3e-4})
//
// A zero field takes the default, as a missing key does; the constant Zero
// asks for an exact 0. The typed configurations go through the registry
// (their Config method is the by-name form), so both give the same
// optimizer.
//
// # Numerics
//
// Per-parameter state (the named buffers exp_avg, exp_avg_sq, …) is created
// lazily by the first Step and is kept in float64 whatever the parameter's
// dtype. Every update is computed in float64 from that state and from the
// gradient converted to float64, and the new parameter is written back once,
// rounded to float32 for Float32 tensors. Parameters and gradients must be
// contiguous *tensor.Dense values of dtype Float32 or Float64; the state of a
// parameter is keyed by its position in the slice passed to Step, which must
// therefore list the same parameters in the same order at every step. After
// the first Step, Step does not allocate.
//
// Like Gorgonia's own solvers, Step sets every gradient to zero once it has
// been used: Gorgonia's TapeMachine adds the gradients of each RunAll to the
// ones held by the dual values (vm.Reset does not clear them), so a solver
// that left them in place would be stepping along the sum of all past
// gradients. A ValueGrad that implements Rewritten (its graph writes the
// gradient afresh at every run, as zoo's train package arranges) is left
// alone, which saves a pass over every gradient.
//
// State and SetState capture and restore everything needed to continue a
// run bit for bit: the step count, the learning rate, every buffer and the
// scalar state some optimizers keep (NAdam's running product of momentum
// coefficients).
//
// Optimizers are not safe for concurrent use. The package has no global
// mutable state, and none of Gorgonia's own solvers is used.
package optimizers
