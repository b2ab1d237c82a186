// Sign-in by phone number and one-time code; the notifications the core wrote.
import PasarKit
import SwiftUI
import UserNotifications

struct SignInView: View {
    @EnvironmentObject private var app: AppModel
    @StateObject private var screen: Screen<SignInState, SignInViewModel>
    @State private var phone = ""
    @State private var code = ""
    @State private var name = ""

    init(model: SignInViewModel) {
        _screen = StateObject(wrappedValue: Screen(model))
    }

    var body: some View {
        let s = screen.state
        Form {
            Text("signin.title").font(.title2)
            ErrorLine(error: s.error)
            TextField("signin.phone", text: $phone).keyboardType(.phonePad).textContentType(.telephoneNumber)
            if !s.codeSent {
                Button("signin.send_code") { Task { await screen.model.requestCode(phone: phone) } }.disabled(s.busy)
            } else {
                TextField("signin.code", text: $code).keyboardType(.numberPad).textContentType(.oneTimeCode)
                TextField("signin.name", text: $name)
                Button("signin.go") {
                    Task {
                        if let id = await screen.model.signIn(code: code, name: name.isEmpty ? nil : name) {
                            await app.signedIn(id)
                        }
                    }
                }.disabled(s.busy)
                Button("signin.resend") { Task { await screen.model.requestCode(phone: phone) } }
            }
        }
        .task { await screen.follow() }
    }
}

struct NotificationsView: View {
    @ObservedObject var app: AppModel
    @StateObject private var screen: Screen<NotificationsState, NotificationsViewModel>
    @State private var allowed = true

    init(app: AppModel) {
        self.app = app
        // The app's one notifications view model: pushes handled by the delegate land in it too.
        _screen = StateObject(wrappedValue: Screen(app.notifications!))
    }

    var body: some View {
        let s = screen.state
        List {
            ErrorLine(error: s.error)
            if !allowed { Text("notifications.off").font(.footnote) }
            if s.notices.isEmpty { Text("notifications.empty") }
            ForEach(s.notices, id: \.collapseKey) { notice in
                Button { app.open(URL(string: notice.deepLink)) } label: {
                    VStack(alignment: .leading) {
                        Text(notice.title).font(.headline)
                        Text(notice.body).font(.footnote)
                    }
                }
                .swipeActions { Button("notifications.dismiss", role: .destructive) { screen.model.dismiss(notice) } }
            }
            Button("signout", role: .destructive) { Task { await app.signOut() } }
        }
        .task { await screen.follow() }
        .task {
            let settings = await UNUserNotificationCenter.current().notificationSettings()
            allowed = settings.authorizationStatus == .authorized || settings.authorizationStatus == .provisional
        }
        .navigationTitle(Text("tab.notifications"))
    }
}
