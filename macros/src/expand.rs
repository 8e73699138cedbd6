//! Writes the checked network out as Rust: the struct, its gradient and
//! trace types, and the forward and backward chains, one call per layer.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

use crate::ast::LayerType;
use crate::check::{Activation, Checked, Init, Kind, Layer, Shape};
use crate::kinds::array_type;

/// `path<scalar, arguments...>`: a layer of another type, with the scalar
/// as its first type argument.
fn external_type(ty: &LayerType, scalar: TokenStream) -> TokenStream {
    let path = &ty.path;
    let arguments = ty.arguments.iter().flat_map(|a| &a.list).map(|a| &a.value);
    quote!(#path<#scalar #(, #arguments)*>)
}

impl Shape<'_> {
    /// The value's type, generic in `T`: `[[[T; 28]; 28]; 1]`.
    fn value_type(&self) -> TokenStream {
        match self {
            Shape::Known(dims) => array_type(dims),
            Shape::InputOf(ty) => {
                let ty = external_type(ty, quote!(T));
                quote!(<#ty as ::constnet::Layer<T>>::Input)
            }
            Shape::OutputOf(ty) => {
                let ty = external_type(ty, quote!(T));
                quote!(<#ty as ::constnet::Layer<T>>::Output)
            }
        }
    }

    /// The number of scalars, as a constant expression; shapes do not
    /// depend on the scalar, so any float names a layer of another type.
    fn len(&self) -> TokenStream {
        match self {
            Shape::Known(dims) => {
                Literal::usize_unsuffixed(dims.iter().product()).into_token_stream()
            }
            Shape::InputOf(ty) => {
                let ty = external_type(ty, quote!(f32));
                quote!(<#ty as ::constnet::Layer<f32>>::INPUT)
            }
            Shape::OutputOf(ty) => {
                let ty = external_type(ty, quote!(f32));
                quote!(<#ty as ::constnet::Layer<f32>>::OUTPUT)
            }
        }
    }

    /// The dimensions, as a constant `&[usize]`, in a context generic in
    /// `scalar`.
    fn dims(&self, scalar: TokenStream) -> TokenStream {
        let (ty, side) = match self {
            Shape::Known(dims) => {
                let dims = dims.iter().map(|&d| Literal::usize_unsuffixed(d));
                return quote!(&[#(#dims),*]);
            }
            Shape::InputOf(ty) => (ty, quote!(Input)),
            Shape::OutputOf(ty) => (ty, quote!(Output)),
        };
        let ty = external_type(ty, scalar.clone());
        quote!(<<#ty as ::constnet::Layer<#scalar>>::#side as ::constnet::Vector<#scalar>>::SHAPE)
    }
}

impl Layer<'_> {
    /// The layer's type, for layers stored in fields.
    fn layer_type(&self) -> Option<TokenStream> {
        match &self.kind {
            Kind::Builtin { ty, .. } => Some(ty.clone()),
            Kind::External { ty } => Some(external_type(ty, quote!(T))),
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
        match self.layer_type() {
            None => self.output.value_type(),
            Some(layer_type) => quote!(::constnet::layer::Trace<#layer_type, T>),
        }
    }

    /// What this layer's batch trace field holds.
    fn batch_trace_type(&self) -> TokenStream {
        match self.layer_type() {
            None => {
                let value = self.output.value_type();
                quote!([#value; B])
            }
            Some(layer_type) => quote!(::constnet::layer::BatchTrace<#layer_type, T, B>),
        }
    }

    /// `value`, a reference to what the previous layer produced, as this
    /// layer takes it: unchanged, or through `convert` where only the
    /// compiler can compare shapes.
    fn takes(&self, value: TokenStream, conversion: &Ident) -> TokenStream {
        if self.converts_input { quote!(&::constnet::vector::#conversion(#value)) } else { value }
    }

    /// The field's doc comment when the user wrote none.
    fn default_doc(&self) -> Option<String> {
        if self.attrs.iter().any(|attr| attr.path().is_ident("doc")) {
            return None;
        }
        match &self.kind {
            Kind::Builtin { doc, .. } => Some(doc.clone()),
            Kind::External { ty } => Some(format!(" The layer `{}`.", ty.written())),
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
    let (input_type, output_type) = (checked.input.value_type(), checked.output.value_type());
    let (input_len, output_len) = (checked.input.len(), checked.output.len());
    let layers = &checked.layers;

    // Locals of the generated functions, with mixed-site hygiene so that
    // they stay apart from the layers' names (a layer may be called `x`).
    let [x, g, input, kept] =
        ["x", "g", "input", "kept"].map(|name| Ident::new(name, Span::mixed_site()));

    let (params, types): (Vec<&Layer>, Vec<_>) =
        layers.iter().filter_map(|l| Some((l, l.layer_type()?))).unzip();
    let fields: Vec<_> = params.iter().map(|l| &l.field).collect();
    let field_names: Vec<_> = fields.iter().map(|f| f.unraw().to_string()).collect();
    let field_attrs: Vec<_> = params.iter().map(|l| l.attrs).collect();
    let field_docs: Vec<_> =
        params.iter().map(|l| l.default_doc().map(|doc| quote!(#[doc = #doc]))).collect();
    let positions: Vec<_> = (0..params.len()).collect();
    let initializers: Vec<_> = params
        .iter()
        .map(|layer| match &layer.kind {
            Kind::Builtin { ty, init, kind, .. } if kind.trainable => {
                let init = match init {
                    Init::XavierUniform => quote!(::constnet::Init::XavierUniform),
                    Init::HeUniform => quote!(::constnet::Init::HeUniform),
                    Init::Written(init) => quote_spanned!(init.span()=> #init),
                };
                quote!(<#ty>::random(rng, #init))
            }
            Kind::Builtin { ty, .. } => quote!(<#ty>::new()),
            Kind::External { ty } => {
                let ty = external_type(ty, quote!(T));
                quote!(<#ty>::random(rng))
            }
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
    } = Pass::per_sample().steps(layers, &receivers, [&x, &g, &input, &kept]);
    let Steps {
        forward: forward_batch_steps,
        trace: trace_batch_steps,
        backward: backward_batch_steps,
        param_grads: param_batch_steps,
    } = Pass::batch().steps(layers, &receivers, [&x, &g, &input, &kept]);
    let kink_distances = receivers
        .iter()
        .zip(&trace_fields)
        .map(|(receiver, field)| quote!(#receiver.kink_distance(&trace.#field)));

    let checks = layers.iter().flat_map(|l| [&l.input_check, &l.output_check]);
    let assertions = checks.flatten().map(|a| {
        let (expected, found) = (a.expected.dims(quote!(f32)), a.found.dims(quote!(f32)));
        let message = &a.message;
        quote_spanned! {a.span=>
            const _: () = ::core::assert!(::constnet::vector::same_shape(#expected, #found), #message);
        }
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
        uniform before `Tanh`, `Sigmoid`, `Softmax` or no activation, He uniform before `Relu`, \
        `Relu6` and `LeakyRelu`), biases zero.";
    let scalar_param = quote!(T: ::constnet::Scalar = #scalar);
    let describe_and_source = describe_and_source(checked, &fields);
    let int8 = crate::quantize::expand(checked);

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
                #vis const INPUT: usize = #input_len;
                /// Number of output values.
                #vis const OUTPUT: usize = #output_len;
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
                        #( (#positions, index) => <#types as ::constnet::Params<T>>::tensor_info(index).map(|t| t.within(#field_names)), )*
                        _ => None,
                    }
                }
            }

            impl<T: ::constnet::Scalar> ::constnet::Layer<T> for #name<T> {
                type Input = #input_type;
                type Output = #output_type;
                type Trace = #trace<T>;
                type BatchTrace<const B: usize> = #batch_trace<B, T>;

                fn forward(&self, #input: &#input_type) -> #output_type {
                    #forward_steps
                }

                fn forward_trace(&self, #input: &#input_type) -> (#output_type, #trace<T>) {
                    #trace_steps
                    (#x, #trace { #(#trace_fields),* })
                }

                fn backward(
                    &self,
                    trace: &#trace<T>,
                    grad_output: &#output_type,
                    grads: &mut Self,
                ) -> #input_type {
                    #backward_steps
                }

                fn param_grads(
                    &self,
                    trace: &#trace<T>,
                    grad_output: &#output_type,
                    grads: &mut Self,
                ) {
                    #param_steps
                }

                fn forward_batch<const B: usize>(
                    &self,
                    #input: &[#input_type; B],
                ) -> [#output_type; B] {
                    #forward_batch_steps
                }

                fn forward_trace_batch<const B: usize>(
                    &self,
                    #input: &[#input_type; B],
                ) -> ([#output_type; B], #batch_trace<B, T>) {
                    #trace_batch_steps
                    (#x, #batch_trace { #(#trace_fields),* })
                }

                fn backward_batch<const B: usize>(
                    &self,
                    trace: &#batch_trace<B, T>,
                    grad_output: &[#output_type; B],
                    grads: &mut Self,
                ) -> [#input_type; B] {
                    #backward_batch_steps
                }

                fn param_grads_batch<const B: usize>(
                    &self,
                    trace: &#batch_trace<B, T>,
                    grad_output: &[#output_type; B],
                    grads: &mut Self,
                ) {
                    #param_batch_steps
                }

                fn kink_distance(&self, trace: &#trace<T>) -> T {
                    [#(#kink_distances),*].into_iter().fold(T::infinity(), T::min)
                }
            }

            #describe_and_source
        };

        #int8
    }
}

/// The method names of one kind of pass: per sample or per batch.
struct Pass {
    forward: Ident,
    forward_trace: Ident,
    backward: Ident,
    param_grads: Ident,
    convert: Ident,
}

/// The bodies of one kind of pass.
struct Steps {
    /// The forward chain, an expression.
    forward: TokenStream,
    /// Statements: the trace's fields, then `x` as the forward chain fills them.
    trace: TokenStream,
    /// The backward chain, an expression.
    backward: TokenStream,
    /// Statements: the backward chain without the first layer's input gradient.
    param_grads: TokenStream,
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
            convert: name("convert"),
        }
    }

    /// The chains of calls: forward, forward with trace, and backward (from
    /// the last layer to the first). `x`, `g`, `input` and `kept` are the
    /// locals.
    ///
    /// Each call sits in a block nested in the next one's, so that a value
    /// (an output, a gradient) dies as soon as the next layer has read it
    /// and its stack space serves again: the deepest a chain goes is two
    /// adjacent values, not the sum of them all.
    fn steps(
        &self,
        layers: &[Layer],
        receivers: &[TokenStream],
        [x, g, input, kept]: [&Ident; 4],
    ) -> Steps {
        let Pass { forward, forward_trace, backward, param_grads, convert } = self;
        // Each step reads what the step before produced; the first reads the argument.
        let step_inputs: Vec<_> = layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                layer.takes(if i == 0 { quote!(#input) } else { quote!(&#x) }, convert)
            })
            .collect();

        let calls = receivers
            .iter()
            .zip(&step_inputs)
            .map(|(receiver, value)| quote!(#receiver.#forward(#value)));
        let forward_chain = nest(calls, |previous, call| quote!({ let #x = #previous; #call }));

        let fields = layers.iter().map(|layer| &layer.field);
        let calls = receivers.iter().zip(&step_inputs).zip(fields.clone()).map(
            |((receiver, value), field)| {
                quote!(let (#x, #kept) = #receiver.#forward_trace(#value); #field = #kept; #x)
            },
        );
        let trace_chain = nest(
            calls.map(|call| quote!({ #call })),
            |previous, call| quote!({ let #x = #previous; #call }),
        );
        let trace = quote! {
            #(let #fields;)*
            let #x = #trace_chain;
        };

        // Backward, from the last layer: each call reads the gradient of its
        // output and returns that of its input.
        let backward_call = |layer: &Layer, receiver: &TokenStream, value: TokenStream| {
            let field = &layer.field;
            let call = match layer.kind {
                Kind::Activation { .. } => quote!(#receiver.#backward(&trace.#field, #value)),
                _ => quote!(#receiver.#backward(&trace.#field, #value, &mut grads.#field)),
            };
            if layer.converts_input { quote!(::constnet::vector::#convert(&#call)) } else { call }
        };
        let backward_chain = |layers: &[Layer], receivers: &[TokenStream]| {
            let calls =
                layers.iter().zip(receivers).rev().enumerate().map(|(i, (layer, receiver))| {
                    let value = if i == 0 { quote!(grad_output) } else { quote!(&#g) };
                    backward_call(layer, receiver, value)
                });
            nest(calls, |previous, call| quote!({ let #g = #previous; #call }))
        };
        let backward = backward_chain(layers, receivers);
        // The first layer's parameter-only call ends the chain: nothing
        // reads the gradient of the network's input.
        let (first, first_receiver) = (&layers[0].field, &receivers[0]);
        let param_grads = if layers.len() == 1 {
            quote!(#first_receiver.#param_grads(&trace.#first, grad_output, &mut grads.#first);)
        } else {
            let rest = backward_chain(&layers[1..], &receivers[1..]);
            quote! {
                let #g = #rest;
                #first_receiver.#param_grads(&trace.#first, &#g, &mut grads.#first);
            }
        };
        Steps { forward: forward_chain, trace, backward, param_grads }
    }
}

/// `calls` folded into one expression: `wrap(previous, call)` puts the
/// chain so far in front of the next call.
pub(crate) fn nest(
    calls: impl IntoIterator<Item = TokenStream>,
    wrap: impl Fn(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    let mut calls = calls.into_iter();
    let first = calls.next().expect("a network has a layer");
    calls.fold(first, wrap)
}

/// The layers as a table (`Describe`) and the parameters as Rust source
/// (`ToRust`): both need the names the user wrote.
fn describe_and_source(checked: &Checked, fields: &[&Ident]) -> TokenStream {
    let name = &checked.network.name;
    let name_str = name.to_string();
    let rows = checked.layers.iter().map(|layer| {
        let (field, kind) = match &layer.kind {
            Kind::Builtin { kind, .. } => (layer.field.unraw().to_string(), kind.name.to_string()),
            Kind::External { ty } => (layer.field.unraw().to_string(), ty.kind().to_string()),
            Kind::Activation { activation, .. } => (String::new(), activation.name().to_string()),
        };
        let output = layer.output.dims(quote!(T));
        let params = match layer.layer_type() {
            Some(ty) => quote!(<#ty as ::constnet::Params<T>>::PARAMS),
            None => quote!(0),
        };
        quote! {
            ::constnet::summary::LayerSummary { name: #field, kind: #kind, output: #output, params: #params }
        }
    });
    let field_strs = fields.iter().map(|field| field.to_string());
    // A layer of another type may not write itself as source: the network
    // then does not either.
    let external_types = checked.layers.iter().filter_map(|layer| match &layer.kind {
        Kind::External { ty } => Some(external_type(ty, quote!(T))),
        _ => None,
    });
    quote! {
        impl<T: ::constnet::Scalar> ::constnet::summary::Describe<T> for #name<T> {
            const NAME: &'static str = #name_str;
            const LAYERS: &'static [::constnet::summary::LayerSummary] = &[#(#rows),*];
        }

        impl<T: ::constnet::Scalar> ::constnet::source::ToRust for #name<T>
        where
            #(#external_types: ::constnet::source::ToRust,)*
        {
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
