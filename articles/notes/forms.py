from django import forms

from articles.notes.services import TEXT_MAX_LENGTH


class NoteForm(forms.Form):
    """A new note: its text, and the paragraph it is about if it is about one.

    Whether that paragraph exists is note_add's rule; the form only tells the browser.
    """

    text = forms.CharField(label="New note", max_length=TEXT_MAX_LENGTH, strip=True,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Plain text. Write @username to tell an editor: they get an e-mail and see it "
                                     "on their desk.")
    paragraph = forms.IntegerField(label="Paragraph", required=False, min_value=1,
                                   help_text="Its number, counted from 1; empty for the whole article.")

    def __init__(self, *args, paragraphs=0, **kwargs):
        super().__init__(*args, **kwargs)
        if paragraphs:
            self.fields["paragraph"].widget.attrs["max"] = paragraphs
