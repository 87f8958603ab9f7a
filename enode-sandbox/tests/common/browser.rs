//! Drives the Link UI's HTML forms as a browser without JavaScript would: find controls by
//! their label, fill them, submit with a named button, and read redirects.

use reqwest::{Response, StatusCode};
use scraper::{ElementRef, Html, Selector};
use url::Url;

/// A fetched HTML page.
pub struct Page {
    pub url: Url,
    pub status: StatusCode,
    pub html: String,
}

/// A form read from a page, with its current field values.
pub struct Form {
    action: Url,
    method: String,
    fields: Vec<(String, String)>,
    /// Label text to the `name` of the control it labels.
    labels: Vec<(String, String)>,
    /// Option text to value, per select name.
    options: Vec<(String, String, String)>,
    /// Button text, name and value.
    buttons: Vec<(String, String, String)>,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid selector")
}

fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn open(client: &reqwest::Client, url: &str) -> Page {
    let url = Url::parse(url).expect("an absolute URL");
    let response = client
        .get(url.clone())
        .send()
        .await
        .expect("a page response");
    let status = response.status();
    let html = response.text().await.expect("a page body");
    Page { url, status, html }
}

/// Returns the absolute `Location` of a redirect.
pub fn location(response: &Response) -> Url {
    let value = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("a text Location");
    response.url().join(value).expect("a resolvable Location")
}

impl Page {
    pub fn contains(&self, text: &str) -> bool {
        self.html.contains(text)
    }

    /// Returns the text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let document = Html::parse_document(&self.html);
        document.select(&selector(css)).map(text_of).collect()
    }

    pub fn heading(&self) -> String {
        self.texts("h1").into_iter().next().unwrap_or_default()
    }

    /// Lists input and select elements that no `<label for>` names (hidden inputs excepted).
    pub fn unlabelled_controls(&self) -> Vec<String> {
        let document = Html::parse_document(&self.html);
        let label_targets: Vec<String> = document
            .select(&selector("label[for]"))
            .filter_map(|label| label.value().attr("for").map(str::to_owned))
            .collect();
        document
            .select(&selector("input, select, textarea"))
            .filter(|control| control.value().attr("type") != Some("hidden"))
            .filter(|control| {
                control
                    .value()
                    .attr("id")
                    .is_none_or(|id| !label_targets.iter().any(|target| target == id))
            })
            .map(|control| control.html())
            .collect()
    }

    /// Reads the page's only form.
    pub fn form(&self) -> Form {
        let document = Html::parse_document(&self.html);
        let forms: Vec<_> = document.select(&selector("form")).collect();
        assert_eq!(
            forms.len(),
            1,
            "the page should have one form: {}",
            self.html
        );
        let form = forms[0];

        let action = self
            .url
            .join(form.value().attr("action").unwrap_or(""))
            .expect("a form action");
        let method = form
            .value()
            .attr("method")
            .unwrap_or("get")
            .to_ascii_lowercase();

        let mut fields = Vec::new();
        for input in form.select(&selector("input[name]")) {
            let name = input.value().attr("name").unwrap_or_default().to_owned();
            fields.push((
                name,
                input.value().attr("value").unwrap_or_default().to_owned(),
            ));
        }
        let mut options = Vec::new();
        for select in form.select(&selector("select[name]")) {
            let name = select.value().attr("name").unwrap_or_default().to_owned();
            let mut chosen = None;
            for option in select.select(&selector("option")) {
                let value = option
                    .value()
                    .attr("value")
                    .map(str::to_owned)
                    .unwrap_or_else(|| text_of(option));
                if chosen.is_none() || option.value().attr("selected").is_some() {
                    chosen = Some(value.clone());
                }
                options.push((name.clone(), text_of(option), value));
            }
            fields.push((name, chosen.unwrap_or_default()));
        }

        let mut labels = Vec::new();
        for label in document.select(&selector("label[for]")) {
            let id = label.value().attr("for").unwrap_or_default();
            let control = form
                .select(&selector(&format!("[id=\"{id}\"]")))
                .next()
                .unwrap_or_else(|| {
                    panic!("label {:?} names no control in the form", text_of(label))
                });
            let name = control.value().attr("name").unwrap_or_default().to_owned();
            labels.push((text_of(label), name));
        }

        let buttons = form
            .select(&selector("button"))
            .map(|button| {
                let name = button.value().attr("name").unwrap_or_default().to_owned();
                let value = button.value().attr("value").unwrap_or_default().to_owned();
                (text_of(button), name, value)
            })
            .collect();

        Form {
            action,
            method,
            fields,
            labels,
            options,
            buttons,
        }
    }
}

impl Form {
    fn name_for(&self, label: &str) -> String {
        self.labels
            .iter()
            .find(|(text, _)| text == label)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| panic!("no control labelled {label:?}; labels: {:?}", self.labels))
    }

    /// Types `value` into the control labelled `label`.
    pub fn fill(&mut self, label: &str, value: &str) -> &mut Self {
        let name = self.name_for(label);
        for (field, current) in &mut self.fields {
            if *field == name {
                *current = value.to_owned();
            }
        }
        self
    }

    /// Picks the option shown as `option_text` in the select labelled `label`.
    pub fn choose(&mut self, label: &str, option_text: &str) -> &mut Self {
        let name = self.name_for(label);
        let value = self
            .options
            .iter()
            .find(|(select, text, _)| *select == name && text == option_text)
            .map(|(_, _, value)| value.clone())
            .unwrap_or_else(|| panic!("no option {option_text:?} in {label:?}"));
        self.fill(label, &value)
    }

    pub fn button_texts(&self) -> Vec<String> {
        self.buttons
            .iter()
            .map(|(text, _, _)| text.clone())
            .collect()
    }

    /// Submits the form with the button whose text is `button`.
    pub async fn submit(&self, client: &reqwest::Client, button: &str) -> Response {
        assert_eq!(self.method, "post", "Link UI forms post");
        let (_, name, value) = self
            .buttons
            .iter()
            .find(|(text, _, _)| text == button)
            .unwrap_or_else(|| panic!("no button {button:?}; buttons: {:?}", self.button_texts()));
        let mut fields = self.fields.clone();
        if !name.is_empty() {
            fields.push((name.clone(), value.clone()));
        }
        client
            .post(self.action.clone())
            .form(&fields)
            .send()
            .await
            .expect("a form response")
    }
}
