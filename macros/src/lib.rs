//! The `network!` macro of [constnet](https://docs.rs/constnet). Depend on
//! `constnet`, which re-exports it and documents it.

use proc_macro::TokenStream;

mod ast;
mod check;
mod expand;
mod kinds;
mod quantize;

/// Declares a network: see the `constnet` crate documentation.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let network = syn::parse_macro_input!(input as ast::Network);
    check::check(&network)
        .map(|checked| expand::expand(&checked))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
