package models

// Network is a built model that can be stored and served as one unit: an
// *MLP, an *Autoencoder or a *VAE. Its family names the config that
// rebuilds it (MLPConfig, AutoencoderConfig or VAEConfig), so a saved network needs nothing but
// its file to be built again (see runs.SaveModel and runs.LoadModel).
type Network interface {
	// Family is "mlp", "autoencoder" or "vae", the model.type of a recipe.
	Family() string
	// Params returns the parameters in their stored order.
	Params() []*Param
}

var (
	_ Network = (*MLP)(nil)
	_ Network = (*Autoencoder)(nil)
)

// Family is "mlp".
func (*MLP) Family() string { return "mlp" }

// Family is "autoencoder".
func (*Autoencoder) Family() string { return "autoencoder" }
