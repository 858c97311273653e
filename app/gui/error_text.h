#pragma once
/// Error dialogs in the app's words. Messages from the readers end with what a library said
/// ("…: unable to open file (truncated file: eof = 1000, sblock->base_addr = 0, stored_eof =
/// 64568)"); the dialog's text keeps the app's part and says the known cases plainly ("the file
/// is cut short: 1000 of 64568 bytes"), and the whole message goes into its Details section.
/// Pure functions; any thread.
#include <QString>

namespace tessera::app {

struct ErrorText {
  QString text;     ///< for the dialog's main text
  QString details;  ///< the message as it came, when `text` left something out; else empty
};

ErrorText splitErrorText(const QString& message);

}  // namespace tessera::app
