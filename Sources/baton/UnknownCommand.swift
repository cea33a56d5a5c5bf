import ArgumentParser
import Baton

/// `baton replay --help` must not print the top-level help and exit 0: a script would
/// believe `replay` exists. The first word that is not an option must name a command.
enum UnknownCommand {
    /// The error text when `arguments` (without the program name) start with a word that
    /// names no command; nil when they are fine or start with an option.
    static func message(for arguments: [String], commands: [any ParsableCommand.Type]) -> String? {
        // `baton help replay` asks about a command too.
        let words = arguments.first == "help" ? Array(arguments.dropFirst()) : arguments
        guard let word = words.first, !word.hasPrefix("-") else { return nil }
        let names = commands.map { $0._commandName } + ["help"]
        guard !names.contains(word) else { return nil }
        var text = "Error: unknown command '\(word)'"
        if let close = Suggestion.closest(to: word, among: names) { text += " (did you mean '\(close)'?)" }
        text += "\n\nCommands:\n"
        let width = commands.map { $0._commandName.count }.max() ?? 0
        for command in commands {
            let name = command._commandName
            text += "  " + name + String(repeating: " ", count: width - name.count + 2) + command.configuration.abstract + "\n"
        }
        text += "\nSee 'baton --help'.\n"
        return text
    }
}
