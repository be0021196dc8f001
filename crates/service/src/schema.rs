//! The shapes the OpenAPI document gives the store's rows. The API returns the rows themselves
//! (serialised by the store); these types only describe them. Each is made from its row as the
//! store writes it (`sijian_store::<row>_row!`), so the store does not depend on the
//! documentation generator and a shape cannot drift from its row.
#![allow(dead_code)]

/// Describes a store row: the same name, documentation, serde attributes and fields, in order.
/// The row's derives and sqlx attributes are left out, a field it never serialises
/// (`#[serde(skip)]`) is no part of its shape, and a column the store decodes from text into a
/// domain value (`column::Text`, `OptText`, `Codes`) is shown as that text. `extra` attributes
/// follow the row's name in the call (`schema(as = …)`).
macro_rules! shape {
    // A page of rows of any kind, its list of them first: the type parameter is written here,
    // beside the derive, for the code the derive generates to find it.
    (
        [$($extra:meta),*]
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),*)]
        pub struct $page:ident<T> {
            $(#[doc = $d:literal])* pub $items:ident: Vec<T>,
            $($fields:tt)*
        }
    ) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        $(#[doc = $doc])* $(#[$extra])*
        pub struct $page<T> {
            $(#[doc = $d])* pub $items: Vec<T>,
            $($fields)*
        }
    };
    // A row with named fields: its own attributes, then its fields one at a time.
    (
        [$($extra:meta),*]
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),*)]
        $(#[serde($($serde:tt)*)])*
        pub struct $name:ident { $($fields:tt)* }
    ) => {
        shape!(@fields [$(#[doc = $doc])* $(#[$extra])* $(#[serde($($serde)*)])*] [$name] []
            $($fields)*);
    };
    // A row wrapping one value.
    (
        [$($extra:meta),*]
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),*)]
        $(#[serde($($serde:tt)*)])*
        pub struct $name:ident(pub $inner:ty);
    ) => {
        shape!(@emit [$(#[doc = $doc])* $(#[$extra])* $(#[serde($($serde)*)])*] [$name]
            (pub $inner););
    };
    (@emit [$($attr:tt)*] [$($name:tt)*] $($body:tt)*) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        $($attr)*
        pub struct $($name)* $($body)*
    };
    // Every field read.
    (@fields $attrs:tt $name:tt [$($done:tt)*]) => {
        shape!(@emit $attrs $name { $($done)* });
    };
    (@fields $attrs:tt $name:tt [$($done:tt)*]
        $(#[doc = $d:literal])* #[serde(skip)] pub $f:ident: $t:ty, $($rest:tt)*
    ) => {
        shape!(@fields $attrs $name [$($done)*] $($rest)*);
    };
    (@fields $attrs:tt $name:tt [$($done:tt)*]
        $(#[doc = $d:literal])* #[sqlx(try_from = "crate::column::Text")]
        pub $f:ident: $t:ty, $($rest:tt)*
    ) => {
        shape!(@fields $attrs $name [$($done)* $(#[doc = $d])* pub $f: String,] $($rest)*);
    };
    (@fields $attrs:tt $name:tt [$($done:tt)*]
        $(#[doc = $d:literal])* #[sqlx(try_from = "crate::column::OptText")]
        pub $f:ident: $t:ty, $($rest:tt)*
    ) => {
        shape!(@fields $attrs $name [$($done)* $(#[doc = $d])* pub $f: Option<String>,] $($rest)*);
    };
    (@fields $attrs:tt $name:tt [$($done:tt)*]
        $(#[doc = $d:literal])* #[sqlx(try_from = "crate::column::Codes")]
        $(#[serde($($s:tt)*)])* pub $f:ident: $t:ty, $($rest:tt)*
    ) => {
        shape!(@fields $attrs $name
            [$($done)* $(#[doc = $d])* $(#[serde($($s)*)])* pub $f: String,] $($rest)*);
    };
    // Any other field keeps its type (another column conversion, a nested row, a number).
    (@fields $attrs:tt $name:tt [$($done:tt)*]
        $(#[doc = $d:literal])* $(#[sqlx($($x:tt)*)])* $(#[serde($($s:tt)*)])*
        pub $f:ident: $t:ty, $($rest:tt)*
    ) => {
        shape!(@fields $attrs $name
            [$($done)* $(#[doc = $d])* $(#[serde($($s)*)])* pub $f: $t,] $($rest)*);
    };
}

pub mod applications {
    sijian_store::application_row!(shape);
    sijian_store::attachment_row!(shape);
    sijian_store::review_row!(shape);
    sijian_store::expert_row!(shape);
}

pub mod appraisers {
    sijian_store::appraiser_row!(shape);
}

pub mod calendar {
    sijian_store::loaded_year_row!(shape);
}

pub mod cases {
    use crate::schema::steps;

    /// The store serialises a case's list of item codes as its stored comma-separated text; the
    /// shape holds that text already.
    fn joined<S: serde::Serializer>(codes: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(codes)
    }

    sijian_store::case_row!(shape);
    sijian_store::new_material_row!(shape);
    sijian_store::person_row!(shape);
    sijian_store::material_row!(shape);
    sijian_store::case_file_row!(shape);
    sijian_store::assignment_row!(shape);
    sijian_store::review_entry_row!(shape);
    sijian_store::stop_entry_row!(shape);
    sijian_store::case_parts_row!(shape);
    sijian_store::deadline_alert_row!(shape, schema(as = DeadlineAlert));
    sijian_store::overdue_rate_row!(shape);
}

pub mod entries {
    sijian_store::posting_row!(shape);
    sijian_store::record_fields_row!(shape);
    sijian_store::record_row!(shape);
    sijian_store::assistant_fields_row!(shape);
    sijian_store::assistant_row!(shape);
}

pub mod events {
    sijian_store::event_row!(shape);
}

pub mod institutions {
    sijian_store::accreditation_row!(shape);
    sijian_store::accreditations_row!(shape);
    sijian_store::institution_row!(shape);
    sijian_store::institution_fields_row!(shape);
}

pub mod ledger {
    sijian_store::ledger_status_row!(shape);
}

pub mod linkage {
    sijian_store::linkage_alert_row!(shape, schema(as = LinkageAlert));
}

pub mod list {
    sijian_store::page_row!(shape);
}

pub mod logs {
    sijian_store::op_log_row!(shape);
    sijian_store::login_log_row!(shape);
}

pub mod opinions {
    sijian_store::opinion_row!(shape);
    sijian_store::correction_row!(shape);
    sijian_store::check_counts_row!(shape);
}

pub mod organs {
    sijian_store::organ_row!(shape);
}

pub mod regions {
    sijian_store::region_row!(shape);
}

pub mod registry {
    sijian_store::status_change_row!(shape);
}

pub mod steps {
    use crate::schema::cases::Case;
    sijian_store::issued_row!(shape);
    sijian_store::appearance_row!(shape);
}

pub mod tokens {
    sijian_store::api_token_row!(shape);
}

pub mod users {
    sijian_store::user_row!(shape);
}

#[cfg(test)]
mod tests {
    //! Each shape is made from its row's own tokens; these check what `shape!` changes on the
    //! way, against the document the derive makes and the JSON the row serialises to.
    use crate::schema::{cases, linkage, list, opinions};
    use serde_json::{Value, json};
    use utoipa::{PartialSchema, ToSchema};

    fn schema_of<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    fn keys(object: &Value) -> Vec<&String> {
        object.as_object().unwrap().keys().collect()
    }

    fn property_names(schema: &Value) -> Vec<&String> {
        keys(&schema["properties"])
    }

    #[test]
    fn a_column_decoded_into_a_domain_value_is_shown_as_its_text() {
        let case = schema_of::<cases::Case>();
        let field = |name: &str| case["properties"][name].clone();
        assert_eq!(field("stage")["type"], "string", "Text");
        assert_eq!(field("received_on")["type"], "string", "Text");
        assert_eq!(
            field("due_on")["type"],
            json!(["string", "null"]),
            "OptText"
        );
        assert_eq!(field("items")["type"], "string", "Codes");
        assert_eq!(field("id")["type"], "integer");
        assert_eq!(
            field("client_kind")["description"],
            "court | procuratorate | police | other"
        );
        let required = case["required"].as_array().unwrap();
        assert!(required.contains(&json!("stage")));
        assert!(!required.contains(&json!("due_on")));
    }

    #[test]
    fn a_field_the_row_never_serialises_is_no_part_of_its_shape() {
        let opinion = schema_of::<opinions::Opinion>();
        let fields = property_names(&opinion);
        assert!(fields.iter().any(|f| *f == "document_sha256"));
        assert!(!fields.iter().any(|f| *f == "conclusion_json"));
    }

    #[test]
    fn a_shape_names_the_fields_its_row_serialises() {
        let counts = sijian_store::cases::opinions::CheckCounts::default();
        assert_eq!(
            property_names(&schema_of::<opinions::CheckCounts>()),
            keys(&serde_json::to_value(counts).unwrap())
        );
        let page = sijian_store::Page::<i64> {
            items: Vec::new(),
            total: 0,
            page: 1,
            per_page: 20,
            total_capped: false,
        };
        let shape = schema_of::<list::Page<i64>>();
        assert_eq!(
            property_names(&shape),
            keys(&serde_json::to_value(page).unwrap())
        );
        // `#[serde(default)]` makes the flag optional in the document.
        assert!(
            !shape["required"]
                .as_array()
                .unwrap()
                .contains(&json!("total_capped"))
        );
    }

    #[test]
    fn rows_of_one_name_in_two_places_have_names_of_their_own() {
        assert_eq!(cases::Alert::name(), "DeadlineAlert");
        assert_eq!(linkage::Alert::name(), "LinkageAlert");
        assert_eq!(cases::Case::name(), "Case");
    }
}
