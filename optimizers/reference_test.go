package optimizers

import (
	"fmt"
	"math"
)

// This file is an independent, deliberately naive float64 transcription of
// the update rules, used to check the package's kernels. It shares no code
// with them: powers are running products, every quantity gets its own
// variable, and the rules are copied from the specification.

// refDefaults are the documented defaults, written out again.
var refDefaults = map[string]map[string]float64{
	"sgd":      {"lr": 0.01},
	"momentum": {"lr": 0.01, "momentum": 0.9},
	"nesterov": {"lr": 0.01, "momentum": 0.9},
	"adagrad":  {"lr": 0.01, "eps": 1e-10},
	"adadelta": {"lr": 1.0, "rho": 0.95, "eps": 1e-6},
	"rmsprop":  {"lr": 0.001, "alpha": 0.9, "eps": 1e-8},
	"adam":     {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
	"amsgrad":  {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
	"adamax":   {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
	"adamw":    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
	"nadam":    {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004},
	"qhadam":   {"lr": 0.001, "beta1": 0.999, "beta2": 0.999, "nu1": 0.7, "nu2": 1.0, "eps": 1e-8},
	"aggmo":    {"lr": 0.1},
}

// refHyper returns the defaults of name overridden by over.
func refHyper(name string, over map[string]float64) map[string]float64 {
	h := map[string]float64{}
	for k, v := range refDefaults[name] {
		h[k] = v
	}
	for k, v := range over {
		h[k] = v
	}
	return h
}

// reference runs the update rule of name from theta0 over grads and returns
// the parameters after each step. With f32 the parameters are rounded to
// float32 after every step (the state stays float64), as the package does
// for Float32 tensors.
func reference(name string, h map[string]float64, betas []float64, theta0 []float64, grads [][]float64, f32 bool) [][]float64 {
	n := len(theta0)
	theta := append([]float64(nil), theta0...)
	zeros := func() []float64 { return make([]float64, n) }
	lr := h["lr"]
	eps := h["eps"]
	b1, b2 := h["beta1"], h["beta2"]

	// state
	v, m, s2, vmax, u := zeros(), zeros(), zeros(), zeros(), zeros()
	eg, edx := zeros(), zeros()
	if len(betas) == 0 {
		betas = []float64{0, 0.9, 0.99}
	}
	bufs := make([][]float64, len(betas))
	for k := range bufs {
		bufs[k] = zeros()
	}
	b1t, b2t := 1.0, 1.0 // β1^t, β2^t
	prod := 1.0          // NAdam's P_t
	muOf := func(t int) float64 {
		return b1 * (1 - 0.5*math.Pow(0.96, float64(t)*h["momentum_decay"]))
	}

	var out [][]float64
	for step, g := range grads {
		t := step + 1
		b1t *= b1
		b2t *= b2
		switch name {
		case "sgd":
			for i := 0; i < n; i++ {
				theta[i] = theta[i] - lr*g[i]
			}
		case "momentum":
			gamma := h["momentum"]
			for i := 0; i < n; i++ {
				v[i] = gamma*v[i] + lr*g[i]
				theta[i] = theta[i] - v[i]
			}
		case "nesterov":
			gamma := h["momentum"]
			for i := 0; i < n; i++ {
				vPrev := v[i]
				theta[i] = theta[i] - (gamma*gamma*vPrev + (1+gamma)*lr*g[i])
				v[i] = gamma*vPrev + lr*g[i]
			}
		case "adagrad":
			for i := 0; i < n; i++ {
				s2[i] = s2[i] + g[i]*g[i]
				theta[i] = theta[i] - lr*g[i]/math.Sqrt(s2[i]+eps)
			}
		case "adadelta":
			rho := h["rho"]
			for i := 0; i < n; i++ {
				eg[i] = rho*eg[i] + (1-rho)*g[i]*g[i]
				rmsDx := math.Sqrt(edx[i] + eps)
				rmsG := math.Sqrt(eg[i] + eps)
				delta := -(rmsDx / rmsG) * g[i]
				edx[i] = rho*edx[i] + (1-rho)*delta*delta
				theta[i] = theta[i] + lr*delta
			}
		case "rmsprop":
			alpha := h["alpha"]
			for i := 0; i < n; i++ {
				s2[i] = alpha*s2[i] + (1-alpha)*g[i]*g[i]
				theta[i] = theta[i] - lr*g[i]/(math.Sqrt(s2[i])+eps)
			}
		case "adam", "adamw":
			for i := 0; i < n; i++ {
				if name == "adamw" {
					theta[i] = theta[i] * (1 - lr*h["weight_decay"])
				}
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				mHat := m[i] / (1 - b1t)
				vHat := v[i] / (1 - b2t)
				theta[i] = theta[i] - lr*mHat/(math.Sqrt(vHat)+eps)
			}
		case "amsgrad":
			for i := 0; i < n; i++ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				if v[i] > vmax[i] {
					vmax[i] = v[i]
				}
				denom := math.Sqrt(vmax[i])/math.Sqrt(1-b2t) + eps
				theta[i] = theta[i] - (lr/(1-b1t))*m[i]/denom
			}
		case "adamax":
			for i := 0; i < n; i++ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				u[i] = math.Max(b2*u[i], math.Abs(g[i])+eps)
				theta[i] = theta[i] - lr/(1-b1t)*m[i]/u[i]
			}
		case "nadam":
			muT, muNext := muOf(t), muOf(t+1)
			prod *= muT
			for i := 0; i < n; i++ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				d := math.Sqrt(v[i]/(1-b2t)) + eps
				theta[i] = theta[i] - lr*(1-muT)/(1-prod)*g[i]/d - lr*muNext/(1-prod*muNext)*m[i]/d
			}
		case "qhadam":
			nu1, nu2 := h["nu1"], h["nu2"]
			for i := 0; i < n; i++ {
				m[i] = b1*m[i] + (1-b1)*g[i]
				v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
				mHat := m[i] / (1 - b1t)
				vHat := v[i] / (1 - b2t)
				num := (1-nu1)*g[i] + nu1*mHat
				den := math.Sqrt((1-nu2)*g[i]*g[i]+nu2*vHat) + eps
				theta[i] = theta[i] - lr*num/den
			}
		case "aggmo":
			k := float64(len(betas))
			for i := 0; i < n; i++ {
				total := 0.0
				for j, beta := range betas {
					bufs[j][i] = beta*bufs[j][i] + g[i]
					total += bufs[j][i]
				}
				theta[i] = theta[i] - lr/k*total
			}
		default:
			panic(fmt.Sprintf("reference: unknown optimizer %q", name))
		}
		if f32 {
			for i := range theta {
				theta[i] = float64(float32(theta[i]))
			}
		}
		out = append(out, append([]float64(nil), theta...))
	}
	return out
}
