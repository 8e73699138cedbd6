//! The network's int8 twin, `{Name}Q8`, and the `quantize` that makes it
//! from calibration data: written for the networks whose every layer has
//! an int8 counterpart, TensorFlow Lite's way (ReLU and ReLU6 fused into
//! the layer before them as clamps, windowed poolings and flattens keeping
//! their input's quantization, global average poolings rescaling to their
//! own, a sigmoid, a tanh or a softmax last with the
//! output quantization TensorFlow Lite gives them).

use proc_macro2::{Literal, TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::check::{Activation, Checked, Kind, Layer, Shape};
use crate::expand::nest;
use crate::kinds::array_of;

/// One layer of the int8 network.
enum Step<'a> {
    /// A layer with a field.
    Layer {
        layer: &'a Layer<'a>,
        /// Whether its output has a quantization of its own (it has weights,
        /// or it is a global average pooling).
        requantizes: bool,
        /// The ReLU fused into it: its ceiling (`f32::INFINITY` or 6).
        ceiling: Option<TokenStream>,
        /// The position of its last float layer (it, or its activation).
        last: usize,
    },
    /// A softmax (last), a sigmoid or a tanh of `len` values: TensorFlow
    /// Lite's int8 functions, whose outputs have a quantization of their own.
    Function { layer: &'a Layer<'a>, activation: Activation, len: usize },
}

/// The int8 network's steps, or `None` where a layer has no int8
/// counterpart (a leaky ReLU, a ReLU after a flatten, a layer of another
/// type...).
fn plan<'a>(checked: &'a Checked) -> Option<Vec<Step<'a>>> {
    let mut steps: Vec<Step> = Vec::new();
    let mut incoming = known(&checked.input)?;
    for (position, layer) in checked.layers.iter().enumerate() {
        match &layer.kind {
            Kind::Builtin { kind, .. } => {
                let requantizes = match kind.name {
                    // A mean's range is narrower than its input's, and
                    // TensorFlow Lite's `MEAN` rescales to it.
                    "Dense" | "Conv2d" | "DepthwiseConv2d" | "Conv1d" | "GlobalAvgPool" => true,
                    "MaxPool2d" | "AvgPool2d" | "MaxPool1d" | "AvgPool1d" => false,
                    "Flatten" if incoming.len() > 1 => false,
                    _ => return None,
                };
                steps.push(Step::Layer { layer, requantizes, ceiling: None, last: position });
            }
            Kind::Activation { activation: Activation::Identity, .. } => {}
            Kind::Activation {
                activation: activation @ (Activation::Relu | Activation::Relu6),
                ..
            } => {
                let Some(Step::Layer { layer, ceiling: ceiling @ None, last, .. }) =
                    steps.last_mut()
                else {
                    return None;
                };
                // Their int8 twins have no clamp.
                if matches!(&layer.kind, Kind::Builtin { kind, .. }
                    if kind.name == "Flatten" || kind.name == "GlobalAvgPool")
                {
                    return None;
                }
                *ceiling = Some(match activation {
                    Activation::Relu => quote!(f32::INFINITY),
                    _ => quote!(6.0),
                });
                *last = position;
            }
            Kind::Activation { activation: Activation::Softmax, .. }
                if position + 1 == checked.layers.len() && incoming.len() == 1 =>
            {
                let activation = Activation::Softmax;
                steps.push(Step::Function { layer, activation, len: incoming[0] });
            }
            Kind::Activation {
                activation: activation @ (Activation::Sigmoid | Activation::Tanh),
                ..
            } if incoming.len() == 1 => {
                steps.push(Step::Function { layer, activation: *activation, len: incoming[0] });
            }
            _ => return None,
        }
        incoming = known(&layer.output)?;
    }
    steps.iter().any(|step| matches!(step, Step::Layer { .. })).then_some(steps)
}

fn known<'a>(shape: &'a Shape) -> Option<&'a [usize]> {
    match shape {
        Shape::Known(dims) => Some(dims),
        _ => None,
    }
}

/// `ty` with the scalar `f32` where it names `T`.
fn with_f32(ty: &TokenStream) -> TokenStream {
    ty.clone()
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) if ident == "T" => quote!(f32).into_iter().next().unwrap(),
            TokenTree::Group(group) => {
                let mut replaced =
                    proc_macro2::Group::new(group.delimiter(), with_f32(&group.stream()));
                replaced.set_span(group.span());
                TokenTree::Group(replaced)
            }
            other => other,
        })
        .collect()
}

/// `{Name}Q8`, its methods, and `{Name}<f32>::quantize`; nothing for a
/// network with a layer that has no int8 counterpart.
pub fn expand(checked: &Checked) -> TokenStream {
    let Some(steps) = plan(checked) else { return TokenStream::new() };
    let (Some(input_dims), Some(output_dims)) = (known(&checked.input), known(&checked.output))
    else {
        return TokenStream::new();
    };
    let network = checked.network;
    let (vis, name) = (&network.vis, &network.name);
    let q8 = format_ident!("{name}Q8");
    let q8_str = q8.to_string();
    let (input_f32, input_i8) =
        (array_of(input_dims, quote!(f32)), array_of(input_dims, quote!(i8)));
    let (output_f32, output_i8) =
        (array_of(output_dims, quote!(f32)), array_of(output_dims, quote!(i8)));

    // The struct's fields, their values, and the int8 forward chain.
    let mut fields = Vec::new();
    let mut types = Vec::new();
    let mut docs = Vec::new();
    let mut values = Vec::new();
    let mut calls = Vec::new();
    // Each field's row of the summary: its int8 kind and output shape.
    let mut rows = Vec::new();
    // `observe[k]`: the range after float layer `k`, if any is observed there.
    let mut observe: Vec<Option<usize>> = vec![None; checked.layers.len()];
    let mut quantizations = vec![quote!(::constnet::quant::calibrated(ranges[0], "input")?)];
    let mut range_count = 1;
    let mut current = 0;
    for step in &steps {
        match step {
            Step::Layer { layer, requantizes, ceiling, last } => {
                let field = &layer.field;
                let Kind::Builtin { ty, kind, .. } = &layer.kind else { unreachable!() };
                let ty = with_f32(ty);
                let input_q = format_ident!("q{current}");
                if *requantizes {
                    let label = field.unraw().to_string();
                    observe[*last] = Some(range_count);
                    let index = Literal::usize_unsuffixed(range_count);
                    range_count += 1;
                    quantizations
                        .push(quote!(::constnet::quant::calibrated(ranges[#index], #label)?));
                    current = quantizations.len() - 1;
                }
                let output_q = format_ident!("q{current}");
                let ceiling = match ceiling {
                    Some(ceiling) => quote!(Some(#ceiling)),
                    None => quote!(None),
                };
                values.push(quote! {
                    self.#field.quantized(#input_q, #output_q, ::constnet::quant::clamp(#output_q, #ceiling))
                });
                docs.push(format!(" `{}` ({}) in int8.", field.unraw(), kind.name));
                let int8_kind = match kind.name {
                    "MaxPool2d" | "AvgPool2d" => "QPool2d".to_string(),
                    "MaxPool1d" | "AvgPool1d" => "QPool1d".to_string(),
                    other => format!("Q{other}"),
                };
                // `plan` found every shape known.
                let output = known(&checked.layers[*last].output).unwrap_or_default();
                rows.push((int8_kind, output.to_vec()));
                types.push(quote!(<#ty as ::constnet::quant::Quantize>::Quantized));
                calls.push(quote!(self.#field.forward));
                fields.push(field.clone());
            }
            Step::Function { layer, activation, len } => {
                let field = &layer.field;
                let len_literal = Literal::usize_unsuffixed(*len);
                let input_q = format_ident!("q{current}");
                let (kind, function) = match activation {
                    Activation::Softmax => ("QSoftmax", "softmax"),
                    Activation::Sigmoid => ("QLogistic", "logistic"),
                    _ => ("QTanh", "tanh"),
                };
                let (ty, function) = (format_ident!("{kind}"), format_ident!("{function}"));
                values.push(quote!(::constnet::quant::#function(#input_q)?));
                docs.push(format!(" `{}`, TensorFlow Lite's int8 one.", activation.name()));
                rows.push((kind.to_string(), vec![*len]));
                types.push(quote!(::constnet::quant::#ty<#len_literal>));
                quantizations.push(quote!(::constnet::quant::#ty::<#len_literal>::OUTPUT));
                current = quantizations.len() - 1;
                calls.push(quote!(self.#field.forward));
                fields.push(field.clone());
            }
        }
    }
    let output_quantization = format_ident!("q{current}");
    let q_names: Vec<_> = (0..quantizations.len()).map(|k| format_ident!("q{k}")).collect();
    let range_count = Literal::usize_unsuffixed(range_count);

    // The calibration pass: the float chain, observing after each layer with weights.
    let [x, input] =
        ["x", "input"].map(|n| proc_macro2::Ident::new(n, proc_macro2::Span::mixed_site()));
    let float_steps = checked.layers.iter().zip(&observe).map(|(layer, observe)| {
        let receiver = match &layer.kind {
            Kind::Activation { activation, .. } => {
                let activation = format_ident!("{}", activation.name());
                quote!(::constnet::layer::#activation)
            }
            _ => {
                let field = &layer.field;
                quote!(self.#field)
            }
        };
        let observation = observe.map(|index| {
            let index = Literal::usize_unsuffixed(index);
            quote!(ranges[#index].observe(::constnet::Vector::scalars(&#x));)
        });
        quote! {
            let #x = #receiver.forward(&#x);
            #observation
        }
    });
    let chain = nest(
        calls
            .iter()
            .enumerate()
            .map(|(i, call)| if i == 0 { quote!(#call(#input)) } else { quote!(#call(&#x)) }),
        |previous, call| quote!({ let #x = #previous; #call }),
    );
    let field_strs: Vec<_> = fields.iter().map(|f| f.unraw().to_string()).collect();
    let summary_rows =
        rows.iter().zip(&field_strs).zip(&types).map(|(((kind, output), field), ty)| {
            let output = output.iter().map(|&d| Literal::usize_unsuffixed(d));
            quote! {
                ::constnet::summary::Int8LayerSummary {
                    name: #field,
                    kind: #kind,
                    output: &[#(#output),*],
                    bytes: ::core::mem::size_of::<#ty>(),
                }
            }
        });

    let struct_doc = format!(
        " [`{name}`] in int8, TensorFlow Lite's way, as [`{name}::quantize`] makes it: \
         its ReLUs are the clamps of the layers before them, its windowed poolings and \
         flattens keep their input's quantization."
    );
    let quantize_doc = format!(
        " This network in int8 ([`{q8}`]), calibrated on `calibration`: the range of the \
         input, of each layer with weights (after its ReLU, if one follows) and of each global \
         average pooling is the smallest \
         and largest value seen (min/max, as TensorFlow Lite's converter calibrates); weights \
         get one symmetric scale per output channel.\n\n An error if a weight is not finite, \
         or if no calibration input gives a finite range somewhere."
    );
    quote! {
        #[doc = #struct_doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        #vis struct #q8 {
            /// How the input's values become int8.
            #vis input_quantization: ::constnet::quant::Quantization,
            #( #[doc = #docs] #vis #fields: #types, )*
            /// What the output's int8 values stand for.
            #vis output_quantization: ::constnet::quant::Quantization,
        }

        const _: () = {
            use ::constnet::layer::Activation as _;
            use ::constnet::Layer as _;
            use ::constnet::quant::{Int8Value as _, Quantize as _};

            impl #name<f32> {
                #[doc = #quantize_doc]
                #vis fn quantize(
                    &self,
                    calibration: &[#input_f32],
                ) -> ::core::result::Result<#q8, ::constnet::quant::QuantizeError> {
                    ::constnet::quant::finite_weights(self)?;
                    let mut ranges = [::constnet::quant::Range::EMPTY; #range_count];
                    for #input in calibration {
                        ranges[0].observe(::constnet::Vector::scalars(#input));
                        let #x = *#input;
                        #(#float_steps)*
                        let _ = #x;
                    }
                    #( let #q_names = #quantizations; )*
                    ::core::result::Result::Ok(#q8 {
                        input_quantization: q0,
                        #( #fields: #values, )*
                        output_quantization: #output_quantization,
                    })
                }
            }

            impl #q8 {
                /// Bytes of its parameters (weights, biases, requantizations).
                #vis const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
                /// Its layers, in data-flow order.
                #vis const LAYERS: &'static [::constnet::summary::Int8LayerSummary] = &[#(#summary_rows),*];

                /// The table of its layers, to print with `{}`.
                #vis fn summary(&self) -> ::constnet::summary::Int8Summary {
                    ::constnet::summary::Int8Summary {
                        name: #q8_str,
                        layers: Self::LAYERS,
                        bytes: Self::PARAM_BYTES,
                    }
                }

                /// Inference on int8 values.
                #vis fn forward(&self, #input: &#input_i8) -> #output_i8 {
                    #chain
                }

                /// A float input as the int8 one `forward` takes.
                #vis fn quantize_input(&self, #input: &#input_f32) -> #input_i8 {
                    ::constnet::quant::Int8Value::quantize(#input, self.input_quantization)
                }

                /// `forward`'s int8 output as the real numbers it stands for.
                #vis fn dequantize_output(&self, output: &#output_i8) -> #output_f32 {
                    <#output_f32 as ::constnet::quant::Int8Value>::dequantize(output, self.output_quantization)
                }
            }

            impl ::constnet::source::ToRust for #q8 {
                fn write_type(out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                    out.write_str(#q8_str)
                }

                fn write_value(&self, out: &mut dyn ::core::fmt::Write, indent: usize) -> ::core::fmt::Result {
                    ::constnet::source::write_struct(out, indent, #q8_str, &[
                        ("input_quantization", &self.input_quantization as &dyn ::constnet::source::ToRust),
                        #( (#field_strs, &self.#fields as &dyn ::constnet::source::ToRust), )*
                        ("output_quantization", &self.output_quantization as &dyn ::constnet::source::ToRust),
                    ])
                }
            }
        };
    }
}
