//! Writes the checked network out as Rust: the struct, its gradient and
//! trace types, and the forward and backward chains, one call per layer.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

use crate::check::{Activation, Checked, Init, Kind, Layer, Width};

impl ToTokens for Width<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        // Sizes do not depend on the scalar: any float names the network.
        tokens.extend(match self {
            Width::Known(n) => Literal::usize_unsuffixed(*n).into_token_stream(),
            Width::InputOf(path) => quote!(<#path<f32> as ::constnet::Layer<f32>>::INPUT),
            Width::OutputOf(path) => quote!(<#path<f32> as ::constnet::Layer<f32>>::OUTPUT),
        });
    }
}

impl Layer<'_> {
    /// The layer's type, for layers with parameters.
    fn param_type(&self) -> Option<TokenStream> {
        match &self.kind {
            Kind::Dense { inputs, outputs, span, .. } => {
                let (inputs, outputs) =
                    (Literal::usize_unsuffixed(*inputs), Literal::usize_unsuffixed(*outputs));
                Some(quote_spanned!(*span=> ::constnet::layer::Dense<T, #inputs, #outputs>))
            }
            Kind::Nested { path } => Some(quote!(#path<T>)),
            Kind::Activation { .. } => None,
        }
    }

    /// The name of the associated constant holding a `LeakyRelu`'s slope,
    /// if it has one.
    fn slope_const(&self) -> Option<Ident> {
        match &self.kind {
            Kind::Activation { slope: Some(_), .. } => {
                Some(format_ident!("{}_SLOPE", self.field.to_string().to_uppercase()))
            }
            _ => None,
        }
    }

    /// The receiver of this layer's calls: `self.hidden`, or the activation
    /// as a value (`::constnet::layer::Tanh`).
    fn receiver(&self) -> TokenStream {
        let Kind::Activation { activation, .. } = &self.kind else {
            let field = &self.field;
            return quote!(self.#field);
        };
        let name = format_ident!("{}", activation.name());
        match (activation, self.slope_const()) {
            (Activation::LeakyRelu, Some(slope)) => {
                quote!(::constnet::layer::LeakyRelu::new(Self::#slope))
            }
            (Activation::LeakyRelu, None) => quote!(::constnet::layer::LeakyRelu::DEFAULT),
            _ => quote!(::constnet::layer::#name),
        }
    }

    /// What this layer's trace field holds.
    fn trace_type(&self) -> TokenStream {
        match (&self.kind, self.param_type()) {
            (Kind::Activation { width, .. }, _) => quote!([T; #width]),
            (_, layer_type) => quote!(::constnet::layer::Trace<#layer_type, T>),
        }
    }

    /// What this layer's batch trace field holds.
    fn batch_trace_type(&self) -> TokenStream {
        match (&self.kind, self.param_type()) {
            (Kind::Activation { width, .. }, _) => quote!([[T; #width]; B]),
            (_, layer_type) => quote!(::constnet::layer::BatchTrace<#layer_type, T, B>),
        }
    }

    /// `value`, a reference to what the previous layer produced, as this
    /// layer takes it: unchanged, or through `same_size` where only the
    /// compiler can compare sizes, so that a mismatch stops at the assertion
    /// instead of also failing every call.
    fn takes(&self, value: TokenStream, conversion: &Ident) -> TokenStream {
        match self.input_check {
            Some(_) => quote!(&::constnet::layer::#conversion(#value)),
            None => value,
        }
    }

    /// The field's doc comment when the user wrote none.
    fn default_doc(&self) -> Option<String> {
        if self.attrs.iter().any(|attr| attr.path().is_ident("doc")) {
            return None;
        }
        match &self.kind {
            Kind::Dense { inputs, outputs, .. } => {
                Some(format!(" Dense layer, {inputs} → {outputs}."))
            }
            Kind::Nested { path } => Some(format!(" The network `{}`.", path.to_token_stream())),
            Kind::Activation { .. } => None,
        }
    }
}

/// A slope as an `f64` constant expression: integer literals become floats,
/// so that `LeakyRelu(1)` means what it says.
fn as_f64(slope: &Expr) -> TokenStream {
    match slope {
        Expr::Lit(ExprLit { lit: Lit::Int(int), .. }) if int.suffix().is_empty() => {
            match int.base10_parse::<i64>() {
                Ok(value) => Literal::f64_unsuffixed(value as f64).into_token_stream(),
                Err(_) => slope.to_token_stream(),
            }
        }
        Expr::Unary(ExprUnary { op: UnOp::Neg(minus), expr, .. }) => {
            let magnitude = as_f64(expr);
            quote!(#minus #magnitude)
        }
        _ => slope.to_token_stream(),
    }
}

pub fn expand(checked: &Checked) -> TokenStream {
    let network = checked.network;
    let (attrs, vis, name, scalar) = (&network.attrs, &network.vis, &network.name, checked.scalar);
    let grads = format_ident!("{name}Grads");
    let trace = format_ident!("{name}Trace");
    let batch_trace = format_ident!("{name}BatchTrace");
    let (input_width, output_width) = (&checked.input, &checked.output);
    let layers = &checked.layers;

    // Locals of the generated functions, with mixed-site hygiene so that
    // they stay apart from the layers' names (a layer may be called `x`).
    let [x, g, input] = ["x", "g", "input"].map(|name| Ident::new(name, Span::mixed_site()));

    let (params, types): (Vec<&Layer>, Vec<_>) =
        layers.iter().filter_map(|l| Some((l, l.param_type()?))).unzip();
    let fields: Vec<_> = params.iter().map(|l| &l.field).collect();
    let field_names: Vec<_> = fields.iter().map(|f| f.unraw().to_string()).collect();
    let field_attrs: Vec<_> = params.iter().map(|l| l.attrs).collect();
    let field_docs: Vec<_> =
        params.iter().map(|l| l.default_doc().map(|doc| quote!(#[doc = #doc]))).collect();
    let positions: Vec<_> = (0..params.len()).collect();
    let initializers: Vec<_> = params
        .iter()
        .map(|layer| match &layer.kind {
            Kind::Dense { init, .. } => {
                let init = match init {
                    Init::XavierUniform => quote!(::constnet::Init::XavierUniform),
                    Init::HeUniform => quote!(::constnet::Init::HeUniform),
                    Init::Written(init) => quote_spanned!(init.span()=> #init),
                };
                quote!(::constnet::layer::Dense::random(rng, #init))
            }
            Kind::Nested { path } => quote!(<#path<T>>::random(rng)),
            Kind::Activation { .. } => unreachable!("activations have no parameters"),
        })
        .collect();

    let trace_fields: Vec<_> = layers.iter().map(|l| &l.field).collect();
    let trace_types: Vec<_> = layers.iter().map(Layer::trace_type).collect();
    let batch_trace_types: Vec<_> = layers.iter().map(Layer::batch_trace_type).collect();
    let trace_docs: Vec<_> = layers
        .iter()
        .map(|layer| {
            let kept_by = match &layer.kind {
                Kind::Activation { activation, .. } => activation.name().to_string(),
                _ => layer.field.unraw().to_string(),
            };
            format!(" Kept by `{kept_by}` for its backward pass.")
        })
        .collect();
    let receivers: Vec<_> = layers.iter().map(Layer::receiver).collect();

    let Steps {
        forward: forward_steps,
        trace: trace_steps,
        backward: backward_steps,
        param_grads: param_steps,
    } = Pass::per_sample().steps(layers, &receivers, [&x, &g, &input]);
    let Steps {
        forward: forward_batch_steps,
        trace: trace_batch_steps,
        backward: backward_batch_steps,
        param_grads: param_batch_steps,
    } = Pass::batch().steps(layers, &receivers, [&x, &g, &input]);
    let kink_distances = receivers
        .iter()
        .zip(&trace_fields)
        .map(|(receiver, field)| quote!(#receiver.kink_distance(&trace.#field)));

    let assertions = layers.iter().filter_map(|l| l.input_check.as_ref()).map(|a| {
        let (left, right, message) = (&a.left, &a.right, &a.message);
        quote_spanned!(a.span=> const _: () = ::core::assert!(#left == #right, #message);)
    });
    let slopes = layers.iter().filter_map(|layer| match (&layer.kind, layer.slope_const()) {
        (Kind::Activation { slope: Some(slope), .. }, Some(name)) => {
            let value = as_f64(slope);
            Some(quote_spanned!(slope.span()=> const #name: f64 = #value;))
        }
        _ => None,
    });
    let default_impl = (!checked.derives_default).then(|| {
        quote! {
            impl<T: ::constnet::Scalar> ::core::default::Default for #name<T> {
                fn default() -> Self {
                    Self::zeros()
                }
            }
        }
    });

    let grads_doc = format!(
        " The gradient of [`{name}`]'s parameters: of the same shape, so of the same type."
    );
    let trace_doc = format!(
        " What a training forward pass of [`{name}`] keeps for its backward pass, layer by layer."
    );
    let batch_trace_doc = format!(
        " What a training forward pass of [`{name}`] over a batch of `B` samples keeps, layer by layer."
    );
    let random_doc = " Weights drawn from `rng` by each layer's initializer (unless written, Xavier/Glorot \
        uniform before `Tanh`, `Sigmoid`, `Softmax` or no activation, He uniform before `Relu` and \
        `LeakyRelu`), biases zero.";
    let scalar_param = quote!(T: ::constnet::Scalar = #scalar);
    let describe_and_source = describe_and_source(checked, &fields);

    quote! {
        #(#attrs)*
        #vis struct #name<#scalar_param> {
            #( #(#field_attrs)* #field_docs #vis #fields: #types, )*
        }

        #[doc = #grads_doc]
        #vis type #grads<T = #scalar> = #name<T>;

        #[doc = #trace_doc]
        #[derive(Clone, Debug)]
        #vis struct #trace<#scalar_param> {
            #( #[doc = #trace_docs] #vis #trace_fields: #trace_types, )*
        }

        #[doc = #batch_trace_doc]
        #[derive(Clone, Debug)]
        #vis struct #batch_trace<const B: usize, #scalar_param> {
            #( #[doc = #trace_docs] #vis #trace_fields: #batch_trace_types, )*
        }

        const _: () = {
            use ::constnet::layer::Activation as _;
            use ::constnet::{Layer as _, Params as _};

            #(#assertions)*

            impl<T: ::constnet::Scalar> #name<T> {
                /// Number of input values.
                #vis const INPUT: usize = #input_width;
                /// Number of output values.
                #vis const OUTPUT: usize = #output_width;
                /// Number of trainable scalars.
                #vis const PARAMS: usize = 0 #(+ <#types as ::constnet::Params<T>>::PARAMS)*;
                /// Tensors of each layer with parameters, in order.
                const LAYER_TENSORS: &'static [usize] = &[#(<#types as ::constnet::Params<T>>::TENSORS),*];
                // `LeakyRelu` slopes: associated, so that the user's expressions
                // see the user's names and none of the generated ones.
                #(#slopes)*

                /// Every parameter zero (also the starting point of a gradient).
                #vis const fn zeros() -> Self {
                    Self { #( #fields: <#types>::zeros(), )* }
                }

                #[doc = #random_doc]
                #vis fn random<R: ::constnet::rand::Rng + ?Sized>(rng: &mut R) -> Self {
                    Self { #( #fields: #initializers, )* }
                }
            }

            #default_impl

            impl<T: ::constnet::Scalar> ::constnet::Params<T> for #name<T> {
                const TENSORS: usize = 0 #(+ <#types as ::constnet::Params<T>>::TENSORS)*;
                const PARAMS: usize = Self::PARAMS;

                fn zeros() -> Self {
                    Self::zeros()
                }

                fn tensor(&self, index: usize) -> ::core::option::Option<&[T]> {
                    match ::constnet::params::locate(index, Self::LAYER_TENSORS)? {
                        #( (#positions, index) => self.#fields.tensor(index), )*
                        _ => None,
                    }
                }

                fn tensor_mut(&mut self, index: usize) -> ::core::option::Option<&mut [T]> {
                    match ::constnet::params::locate(index, Self::LAYER_TENSORS)? {
                        #( (#positions, index) => self.#fields.tensor_mut(index), )*
                        _ => None,
                    }
                }

                fn tensor_info(index: usize) -> ::core::option::Option<::constnet::TensorInfo> {
                    match ::constnet::params::locate(index, Self::LAYER_TENSORS)? {
                        #( (#positions, index) => <#types>::tensor_info(index).map(|t| t.within(#field_names)), )*
                        _ => None,
                    }
                }
            }

            impl<T: ::constnet::Scalar> ::constnet::Layer<T> for #name<T> {
                type Input = [T; #input_width];
                type Output = [T; #output_width];
                type Trace = #trace<T>;
                type BatchTrace<const B: usize> = #batch_trace<B, T>;

                fn forward(&self, #input: &[T; #input_width]) -> [T; #output_width] {
                    #(#forward_steps)*
                    #x
                }

                fn forward_trace(&self, #input: &[T; #input_width]) -> ([T; #output_width], #trace<T>) {
                    #(#trace_steps)*
                    (#x, #trace { #(#trace_fields),* })
                }

                fn backward(
                    &self,
                    trace: &#trace<T>,
                    grad_output: &[T; #output_width],
                    grads: &mut Self,
                ) -> [T; #input_width] {
                    #(#backward_steps)*
                    #g
                }

                fn param_grads(
                    &self,
                    trace: &#trace<T>,
                    grad_output: &[T; #output_width],
                    grads: &mut Self,
                ) {
                    #(#param_steps)*
                }

                fn forward_batch<const B: usize>(
                    &self,
                    #input: &[[T; #input_width]; B],
                ) -> [[T; #output_width]; B] {
                    #(#forward_batch_steps)*
                    #x
                }

                fn forward_trace_batch<const B: usize>(
                    &self,
                    #input: &[[T; #input_width]; B],
                ) -> ([[T; #output_width]; B], #batch_trace<B, T>) {
                    #(#trace_batch_steps)*
                    (#x, #batch_trace { #(#trace_fields),* })
                }

                fn backward_batch<const B: usize>(
                    &self,
                    trace: &#batch_trace<B, T>,
                    grad_output: &[[T; #output_width]; B],
                    grads: &mut Self,
                ) -> [[T; #input_width]; B] {
                    #(#backward_batch_steps)*
                    #g
                }

                fn param_grads_batch<const B: usize>(
                    &self,
                    trace: &#batch_trace<B, T>,
                    grad_output: &[[T; #output_width]; B],
                    grads: &mut Self,
                ) {
                    #(#param_batch_steps)*
                }

                fn kink_distance(&self, trace: &#trace<T>) -> T {
                    [#(#kink_distances),*].into_iter().fold(T::infinity(), T::min)
                }
            }

            #describe_and_source
        };
    }
}

/// The method names of one kind of pass: per sample or per batch.
struct Pass {
    forward: Ident,
    forward_trace: Ident,
    backward: Ident,
    param_grads: Ident,
    same_size: Ident,
}

/// The statements of one kind of pass, one per layer.
struct Steps {
    forward: Vec<TokenStream>,
    trace: Vec<TokenStream>,
    backward: Vec<TokenStream>,
    /// The backward chain without the first layer's input gradient.
    param_grads: Vec<TokenStream>,
}

impl Pass {
    fn per_sample() -> Self {
        Self::with_suffix("")
    }

    fn batch() -> Self {
        Self::with_suffix("_batch")
    }

    fn with_suffix(suffix: &str) -> Self {
        let name = |stem: &str| format_ident!("{stem}{suffix}");
        Pass {
            forward: name("forward"),
            forward_trace: name("forward_trace"),
            backward: name("backward"),
            param_grads: name("param_grads"),
            same_size: name("same_size"),
        }
    }

    /// The chains of calls: forward, forward with trace, and backward (from
    /// the last layer to the first). `x`, `g` and `input` are the locals.
    fn steps(
        &self,
        layers: &[Layer],
        receivers: &[TokenStream],
        [x, g, input]: [&Ident; 3],
    ) -> Steps {
        let Pass { forward, forward_trace, backward, param_grads, same_size } = self;
        // Each step reads what the step before produced; the first reads the argument.
        let step_inputs: Vec<_> = layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                layer.takes(if i == 0 { quote!(#input) } else { quote!(&#x) }, same_size)
            })
            .collect();
        let forward_steps = receivers
            .iter()
            .zip(&step_inputs)
            .map(|(receiver, value)| quote!(let #x = #receiver.#forward(#value);))
            .collect();
        let trace_steps = receivers
            .iter()
            .zip(&step_inputs)
            .zip(layers)
            .map(|((receiver, value), layer)| {
                let field = &layer.field;
                quote!(let (#x, #field) = #receiver.#forward_trace(#value);)
            })
            .collect();
        let backward_steps = layers
            .iter()
            .zip(receivers)
            .rev()
            .enumerate()
            .map(|(i, (layer, receiver))| {
                let (value, field) =
                    (if i == 0 { quote!(grad_output) } else { quote!(&#g) }, &layer.field);
                let call = match layer.kind {
                    Kind::Activation { .. } => quote!(#receiver.#backward(&trace.#field, #value)),
                    _ => quote!(#receiver.#backward(&trace.#field, #value, &mut grads.#field)),
                };
                match layer.input_check {
                    Some(_) => quote!(let #g = ::constnet::layer::#same_size(&#call);),
                    None => quote!(let #g = #call;),
                }
            })
            .collect::<Vec<_>>();
        // The first layer has parameters (the checker requires it), so its
        // parameter-only call ends the chain.
        let (first, first_receiver) = (&layers[0].field, &receivers[0]);
        let first_grad = if layers.len() == 1 { quote!(grad_output) } else { quote!(&#g) };
        let param_steps = backward_steps[..layers.len() - 1]
            .iter()
            .cloned()
            .chain([quote!(#first_receiver.#param_grads(&trace.#first, #first_grad, &mut grads.#first);)])
            .collect();
        Steps {
            forward: forward_steps,
            trace: trace_steps,
            backward: backward_steps,
            param_grads: param_steps,
        }
    }
}

/// The layers as a table (`Describe`) and the parameters as Rust source
/// (`ToRust`): both need the names the user wrote.
fn describe_and_source(checked: &Checked, fields: &[&Ident]) -> TokenStream {
    let name = &checked.network.name;
    let name_str = name.to_string();
    let rows = checked.layers.iter().map(|layer| {
        let (field, output, kind) = match &layer.kind {
            Kind::Dense { outputs, .. } => {
                (layer.field.unraw().to_string(), Literal::usize_unsuffixed(*outputs).into_token_stream(), "Dense".to_string())
            }
            Kind::Nested { path } => {
                let last = &path.segments.last().expect("a parsed path has a segment").ident;
                (layer.field.unraw().to_string(), quote!(<#path<T> as ::constnet::Layer<T>>::OUTPUT), last.to_string())
            }
            Kind::Activation { activation, width, .. } => {
                (String::new(), width.into_token_stream(), activation.name().to_string())
            }
        };
        let params = match layer.param_type() {
            Some(ty) => quote!(<#ty as ::constnet::Params<T>>::PARAMS),
            None => quote!(0),
        };
        quote! {
            ::constnet::summary::LayerSummary { name: #field, kind: #kind, output: #output, params: #params }
        }
    });
    let field_strs = fields.iter().map(|field| field.to_string());
    quote! {
        impl<T: ::constnet::Scalar> ::constnet::summary::Describe<T> for #name<T> {
            const NAME: &'static str = #name_str;
            const LAYERS: &'static [::constnet::summary::LayerSummary] = &[#(#rows),*];
        }

        impl<T: ::constnet::Scalar> ::constnet::source::ToRust for #name<T> {
            fn write_type(out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                ::core::write!(out, "{}<{}>", #name_str, <T as ::constnet::Scalar>::NAME)
            }

            fn write_value(&self, out: &mut dyn ::core::fmt::Write, indent: usize) -> ::core::fmt::Result {
                ::constnet::source::write_struct(out, indent, #name_str, &[
                    #( (#field_strs, &self.#fields as &dyn ::constnet::source::ToRust), )*
                ])
            }
        }
    }
}
